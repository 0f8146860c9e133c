/**
 * Apply then rollback on SQLite puts back each document's stored text byte for byte, whatever
 * shape its writer gave it (pretty-printed, `\u00e9` escapes, `1.0` and `1E5`, any field order,
 * integer-like field names): the before-image keeps the stored text (`docText`), and both the
 * restore inside the store and the one-by-one restore of what it leaves write that text.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { JsonObject } from '../../src/core/json.js';
import { applyMigrations } from '../../src/migrations/apply/apply-migrations.js';
import { planHashOf } from '../../src/migrations/apply/apply-plan.js';
import { rollbackMigrations } from '../../src/migrations/rollback/rollback-migrations.js';
import { scanDocuments } from '../../src/stores/scan-pages.js';
import type { SqliteCollection } from '../../src/stores/sqlite/sqlite-collection.js';
import { keyId } from '../../src/stores/store.js';
import { storeRawText } from '../support/corrupt-sqlite-row.js';
import { rewriteImageEntries } from '../support/rewrite-image.js';
import { shapedTexts } from '../support/shaped-texts.js';
import { selectedKinds } from '../support/test-stores.js';
import { type MigrationWorld, migrationWorld, splitName, versionField } from './fixtures/migration-world.js';

/** Every row's stored text by key, as SQLite holds it. */
function storedTexts(handle: SqliteCollection): Map<string, string> {
  const rows = handle.db.prepare(`SELECT k, doc FROM ${handle.table} ORDER BY k`).all() as {
    k: string;
    doc: string;
  }[];
  return new Map(rows.map((row) => [row.k, row.doc]));
}

const options = { canaryPercent: 20, batchSize: 50 };

for (const kind of selectedKinds().filter((k) => k === 'sqlite')) {
  describe(`migrate rollback on ${kind} keeps stored texts byte for byte`, () => {
    let w: MigrationWorld;
    before(async () => {
      w = await migrationWorld(kind);
    });
    after(async () => w?.cleanup());

    test('documents written in any JSON shape read back after rollback exactly as they were stored', async () => {
      const handle = w.subjects.handle as SqliteCollection;
      const keyField = w.subjects.spec.keyField;
      await w.seed(120);
      const shapes = shapedTexts(keyField, versionField, 1);
      // Every other document gets a shape; the rest stay as steward wrote them.
      for (let i = 0; i < 120; i += 2) {
        const key = `s${String(i).padStart(5, '0')}`;
        const text = shapes[(i / 2) % shapes.length]!.text(key);
        assert.equal((JSON.parse(text) as JsonObject)[keyField], key);
        storeRawText(handle, keyId(key), text);
      }
      const before = storedTexts(handle);
      const hash = planHashOf([splitName], w.target, options);
      await w.approve(hash, 'alice');
      await w.approve(hash, 'bob');
      const applied = await applyMigrations(w.applyInput([splitName]));
      assert.equal(applied.status, 'applied', JSON.stringify(applied.refusal));
      // The image keeps stored texts raw, not objects (its parsed document has their parses).
      const backups = w.ts.store.collection(w.ledger.namespace.backups);
      const images: JsonObject[] = [];
      for await (const doc of scanDocuments(backups))
        if (doc.migration === splitName.id && Array.isArray(doc.entries)) images.push(doc);
      const entriesOf = (image: JsonObject) => image.entries as JsonObject[];
      assert.ok(images.length > 1, 'several batch images');
      assert.ok(
        images.every(
          (image) =>
            Array.isArray(image.docTexts) &&
            entriesOf(image).every((e) => typeof e.docTextLength === 'number' && !e.docText && !e.doc),
        ),
      );
      // One image without digests, as no restore inside the store takes: its documents are put
      // back one by one, planned in JavaScript, and must get their stored text back as well.
      await rewriteImageEntries(
        backups,
        images[0]!,
        ({ writtenDigest: _d, writtenTextDigest: _t, ...rest }) => rest,
      );
      // The same content rewritten in other text after apply: restored by its content digest.
      const key = 's00100';
      const stored = (await handle.getMany([key])).get(keyId(key))!;
      await handle.write([{ type: 'replace', doc: Object.fromEntries(Object.entries(stored).reverse()) }]);
      const report = await rollbackMigrations(w.rollbackInput([splitName]));
      assert.equal(report.status, 'rolled-back');
      assert.equal(report.migrations[0]!.counts.changed, 120);
      assert.equal(report.migrations[0]!.counts.failed, 0);
      const after = storedTexts(handle);
      assert.deepEqual([...after.keys()], [...before.keys()]);
      for (const [k, text] of before) assert.equal(after.get(k), text, `${k} is stored as it was`);
    });
  });
}
