/**
 * Rollback reads the next batch image, and the current state of its documents, while the image
 * before it is being restored (restore-pass.ts). A document that image wrote must be read again
 * before its restore is decided: here the next image names a document of the one before it, and
 * only what the first restore left (not what the read ahead saw) lets the second restore it.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { JsonObject } from '../../src/core/json.js';
import { applyMigrations } from '../../src/migrations/apply/apply-migrations.js';
import { planHashOf } from '../../src/migrations/apply/apply-plan.js';
import { batchImageId, batchImages, type ImageEntry } from '../../src/migrations/batch-images.js';
import { documentDigest } from '../../src/migrations/collection-checksum.js';
import { rollbackMigrations } from '../../src/migrations/rollback/rollback-migrations.js';
import { scanDocuments } from '../../src/stores/scan-pages.js';
import { keyId } from '../../src/stores/store.js';
import { selectedKinds } from '../support/test-stores.js';
import { type MigrationWorld, migrationWorld, splitName } from './fixtures/migration-world.js';

const options = { canaryPercent: 20, batchSize: 50 };

for (const kind of selectedKinds()) {
  describe(`migrate rollback reading ahead on ${kind}`, () => {
    let w: MigrationWorld;
    before(async () => {
      w = await migrationWorld(kind);
      await w.seed(120);
    });
    after(async () => w?.cleanup());

    test('a document the image before restored is read again before the next image decides on it', async () => {
      const hash = planHashOf([splitName], w.target, options);
      await w.approve(hash, 'alice');
      await w.approve(hash, 'bob');
      const applied = await applyMigrations(w.applyInput([splitName]));
      assert.equal(applied.status, 'applied');

      const backups = w.ts.store.collection(w.ledger.namespace.backups);
      const attempt = (await readAttempt(w)) ?? 1;
      const images = [];
      for await (const paged of batchImages(backups, { migration: splitName.id, attempt }, {}))
        images.push(paged);
      assert.ok(images.length >= 2, `${images.length} images`);
      const [first, second] = images as [(typeof images)[0], (typeof images)[0]];
      const entry = first.image.entries[0]!;
      const original = entry.doc;
      const later: JsonObject = { ...original, name: 'Restored Later' };
      // The second image names the same document as apply would have left it at version 1 (the
      // original, as the first image restores it): restorable only once that restore is seen.
      const extra: ImageEntry = {
        key: entry.key,
        doc: later,
        writtenVersion: 1,
        writtenDigest: documentDigest(original),
      };
      const owner = { migration: splitName.id, attempt, collection: second.collection };
      const head = (await backups.getMany([batchImageId(owner, second.batch)])).get(
        keyId(batchImageId(owner, second.batch)),
      )!;
      assert.equal(head.chunks, 1, 'a one-chunk image');
      const entries = [...(head.entries as unknown as ImageEntry[]), extra];
      const saved = await backups.write([
        { type: 'replace', doc: { ...head, entries: entries as unknown as JsonObject[] }, upsert: true },
      ]);
      assert.equal(saved[0]?.status, 'ok');

      const report = await rollbackMigrations(w.rollbackInput([splitName]));
      assert.equal(report.status, 'rolled-back');
      const now = (await w.subjects.handle.getMany([entry.key])).get(keyId(entry.key));
      assert.deepEqual(now, later, 'the second image restored what the first one put back');
    });
  });
}

async function readAttempt(w: MigrationWorld): Promise<number | undefined> {
  for await (const doc of scanDocuments(w.ts.store.collection(w.ledger.namespace.backups)))
    if (doc.migration === splitName.id && doc.part === 'head') return doc.attempt as number;
  return undefined;
}
