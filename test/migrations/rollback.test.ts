/**
 * `rollbackMigrations` on every selected store: exact restores (the collection checksum equals the
 * one before apply), the census, `--to` over two migrations, a re-apply after a rollback, documents
 * changed or created after apply (converted by an exact down(), or kept aside), documents deleted
 * after apply (reported, never resurrected), copies dropped, and the rollback of a migration
 * stopped at a gate.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { JsonObject } from '../../src/core/json.js';
import { migrateLease } from '../../src/migrations/apply/apply-context.js';
import { applyMigrations } from '../../src/migrations/apply/apply-migrations.js';
import { planHashOf } from '../../src/migrations/apply/apply-plan.js';
import { batchImages, imageElements } from '../../src/migrations/batch-images.js';
import { readChangelog, readChangelogRecord } from '../../src/migrations/changelog.js';
import {
  type CollectionChecksum,
  collectionChecksum,
  sameChecksum,
} from '../../src/migrations/collection-checksum.js';
import type { Migration } from '../../src/migrations/migration.js';
import { pendingMigrations } from '../../src/migrations/migration-plan.js';
import { rollbackJob } from '../../src/migrations/rollback/rollback-context.js';
import { rollbackMigrations } from '../../src/migrations/rollback/rollback-migrations.js';
import { rollbackNeedsAttention } from '../../src/migrations/rollback/rollback-report.js';
import { scanDocuments } from '../../src/stores/scan-pages.js';
import { keyId } from '../../src/stores/store.js';
import { rewriteImageEntries } from '../support/rewrite-image.js';
import { selectedKinds } from '../support/test-stores.js';
import {
  addTags,
  type MigrationWorld,
  migrationWorld,
  splitName,
  subjectDoc,
} from './fixtures/migration-world.js';

const options = { canaryPercent: 20, batchSize: 50 };

/** Approves the pending part of `migrations` and applies it; fails the test unless applied. */
async function applyAll(w: MigrationWorld, migrations: readonly Migration[]): Promise<void> {
  const { pending } = pendingMigrations(migrations, await readChangelog(w.ledger));
  const hash = planHashOf(pending, w.target, options);
  await w.approve(hash, 'alice');
  await w.approve(hash, 'bob');
  const report = await applyMigrations(w.applyInput(migrations));
  assert.equal(
    report.status,
    'applied',
    JSON.stringify(report.refusal ?? report.migrations.map((m) => m.gates)),
  );
}

async function backupsOf(w: MigrationWorld, migration: string): Promise<JsonObject[]> {
  const out: JsonObject[] = [];
  for await (const doc of scanDocuments(w.ts.store.collection(w.ledger.namespace.backups)))
    if (doc.migration === migration) out.push(doc);
  return out;
}

for (const kind of selectedKinds()) {
  describe(`migrate rollback on ${kind}`, () => {
    let w: MigrationWorld;
    let original: CollectionChecksum;
    before(async () => {
      w = await migrationWorld(kind);
      await w.seed(180, { atTarget: 30 });
      original = await w.checksum();
    });
    after(async () => w?.cleanup());

    test('rolls back exactly: checksum as before apply, no document left at the target version', async () => {
      await applyAll(w, [splitName]);
      const report = await rollbackMigrations(w.rollbackInput([splitName]));
      assert.equal(report.status, 'rolled-back');
      const m = report.migrations[0]!;
      assert.equal(m.counts.changed, 174);
      assert.equal(m.counts.failed, 0);
      assert.equal(m.remainingAtTarget, 0);
      assert.deepEqual(
        m.census,
        { subjects: { '1': 174, '2': 6 } },
        'only the documents at v2 before apply stay there',
      );
      assert.equal(m.exact, true);
      assert.ok(sameChecksum(await w.checksum(), original));
      assert.equal(rollbackNeedsAttention(report), false);
      const record = await readChangelogRecord(w.ledger, splitName.id);
      assert.equal(record?.status, 'rolled-back');
      assert.equal(record?.rollback?.exact, true);
      const kept = await backupsOf(w, splitName.id);
      const entries = kept.flatMap(imageElements);
      const markers = kept.filter((b) => b.doc === null);
      assert.deepEqual(
        [entries.length, markers.length, kept.length - markers.length > 0],
        [174, 6, true],
        'batch images (174 originals) and markers (6) are kept',
      );
    });

    test('applies again as attempt 2, and --to rolls back two migrations newest first', async () => {
      await applyAll(w, [splitName, addTags]);
      assert.equal((await readChangelogRecord(w.ledger, splitName.id))?.attempt, 2);
      for await (const doc of scanDocuments(w.subjects.handle)) {
        assert.equal(doc.schemaVersion, 3);
        assert.equal(doc.kind, undefined, 'rename-field moved kind to category');
      }
      const report = await rollbackMigrations(w.rollbackInput([splitName, addTags], { to: splitName.id }));
      assert.deepEqual(
        report.migrations.map((m) => [m.id, m.exact]),
        [
          [addTags.id, true],
          [splitName.id, true],
        ],
      );
      assert.ok(sameChecksum(await w.checksum(), original));
    });

    test('documents changed, created or deleted after apply', async () => {
      await applyAll(w, [splitName]);
      const h = w.subjects.handle;
      const keyField = w.subjects.spec.keyField;
      const [changed, deleted] = ['s00001', 's00002'];
      const found = await h.getMany([changed, deleted]);
      const edited = { ...found.get(keyId(changed))!, name: { first: 'Ada', last: 'Lovelace' } };
      const late: JsonObject = {
        ...subjectDoc(keyField, 9001),
        name: { first: 'New', last: 'Comer' },
        schemaVersion: 2,
      };
      await h.write([
        { type: 'replace', doc: edited },
        { type: 'delete', key: deleted },
        { type: 'insert', doc: late },
      ]);
      const report = await rollbackMigrations(w.rollbackInput([splitName]));
      const m = report.migrations[0]!;
      assert.equal(m.converted, 2, 'the edited and the late document went through an exact down()');
      assert.deepEqual(
        m.failures.map((f) => [f.key, f.reason.split(';')[0]]),
        [[deleted, 'deleted since apply']],
      );
      assert.equal(m.remainingAtTarget, 0);
      const now = await h.getMany([changed, deleted, late[keyField] as string]);
      assert.equal(now.get(keyId(changed))?.name, 'Ada Lovelace');
      assert.equal(now.has(keyId(deleted)), false, 'a deleted document is not resurrected');
      assert.equal(now.get(keyId(late[keyField] as string))?.schemaVersion, 1);
      assert.equal(rollbackNeedsAttention(report), true);
      // Put the world back as it was for the next test.
      await h.write([
        { type: 'replace', doc: subjectDoc(keyField, 1, 30) },
        { type: 'insert', doc: subjectDoc(keyField, 2, 30) },
        { type: 'delete', key: late[keyField] as string },
      ]);
      assert.ok(sameChecksum(await w.checksum(), original));
    });

    test('without down(), a later change is overwritten but kept aside, and a late document is listed', async () => {
      const noDown: Migration = {
        ...splitName,
        id: '003-no-down',
        checksum: 'c-003',
        down: undefined,
        fromVersion: 1,
        targetVersion: 2,
      };
      await applyAll(
        w,
        [splitName, noDown].filter((m) => m.id !== splitName.id),
      );
      const h = w.subjects.handle;
      const keyField = w.subjects.spec.keyField;
      const current = (await h.getMany(['s00004'])).get(keyId('s00004'))!;
      await h.write([{ type: 'replace', doc: { ...current, note: 'added after apply' } }]);
      const late: JsonObject = {
        ...subjectDoc(keyField, 9002),
        name: { first: 'Late', last: 'Doc' },
        schemaVersion: 2,
      };
      await h.write([{ type: 'insert', doc: late }]);
      const report = await rollbackMigrations(w.rollbackInput([noDown]));
      const m = report.migrations[0]!;
      assert.equal(m.converted, 0);
      assert.equal(m.remainingAtTarget, 1);
      assert.match(m.failures.map((f) => f.reason).join('\n'), /has no down\(\)/);
      assert.equal((await h.getMany(['s00004'])).get(keyId('s00004'))?.note, undefined, 'restored exactly');
      const kept = await backupsOf(w, `${noDown.id}#rollback`);
      assert.deepEqual(
        kept.map((b) => (b.doc as JsonObject).note),
        ['added after apply'],
      );
      await h.write([{ type: 'delete', key: late[keyField] as string }]);
      assert.ok(sameChecksum(await w.checksum(), original));
    });
  });

  describe(`migrate rollback on ${kind} with text digests in the images`, () => {
    let w: MigrationWorld;
    let original: CollectionChecksum;
    before(async () => {
      w = await migrationWorld(kind);
      await w.seed(120);
      original = await w.checksum();
    });
    after(async () => w?.cleanup());

    test('same content in other text since apply is restored; images of older runs without text digests too', async () => {
      await applyAll(w, [splitName]);
      const h = w.subjects.handle;
      const backups = w.ts.store.collection(w.ledger.namespace.backups);
      const images = (await backupsOf(w, splitName.id)).filter((b) => imageElements(b).length > 0);
      const entriesOf = (b: JsonObject) => imageElements(b) as JsonObject[];
      assert.ok(images.length > 1, 'several batch images');
      // Where the store keeps text as written (SQLite), apply keeps the digest of the text it wrote.
      assert.ok(
        images.every((b) =>
          entriesOf(b).every((e) => (typeof e.writtenTextDigest === 'string') === (h.encode !== undefined)),
        ),
      );
      // Images as an earlier version wrote them: every other one loses its text digests.
      for (const b of images.filter((_, i) => i % 2 === 0))
        await rewriteImageEntries(backups, b, ({ writtenTextDigest: _text, ...rest }) => rest);
      // The same content written again with its fields in reverse order: other text, same content.
      const keys = ['s00003', 's00050', 's00110'];
      const found = await h.getMany(keys);
      const reversed = keys.map((key) => {
        const doc = found.get(keyId(key))!;
        return Object.fromEntries(Object.entries(doc).reverse()) as JsonObject;
      });
      await h.write(reversed.map((doc) => ({ type: 'replace', doc })));
      const report = await rollbackMigrations(w.rollbackInput([splitName]));
      const m = report.migrations[0]!;
      assert.equal(m.counts.changed, 120, 'every document restored, the rewritten ones included');
      assert.equal(m.counts.failed, 0);
      assert.equal(m.converted, 0, 'unchanged content needs no down()');
      assert.equal(m.exact, true);
      assert.ok(sameChecksum(await w.checksum(), original));
      assert.deepEqual(await backupsOf(w, `${splitName.id}#rollback`), [], 'nothing was overwritten');
    });
  });

  describe(`migrate rollback of operations and stopped runs on ${kind}`, () => {
    let w: MigrationWorld;
    before(async () => {
      w = await migrationWorld(kind);
      await w.seed(120);
    });
    after(async () => w?.cleanup());

    test('a copy made by the migration is dropped; a migration stopped at a gate is undone', async () => {
      const original = await w.checksum();
      // An index operation where the store has indexes (apply refuses one on DynamoDB).
      const indexes = w.ts.store.capabilities.secondaryIndexes;
      const copying: Migration = {
        ...splitName,
        operations: [
          { kind: 'copy-collection', from: 'subjects', to: 'subjects_v1' },
          ...(indexes
            ? [{ kind: 'create-index' as const, collection: 'subjects', name: 'by_name', fields: ['name'] }]
            : []),
        ],
        validators: { after: [{ kind: 'query', name: 'never', collection: 'subjects', check: () => 'no' }] },
      };
      const hash = planHashOf([copying], w.target, options);
      await w.approve(hash, 'alice');
      await w.approve(hash, 'bob');
      const stopped = await applyMigrations(w.applyInput([copying]));
      assert.equal(stopped.status, 'gate-failed');
      const ops = stopped.migrations[0]!.operations;
      assert.deepEqual(
        ops.map((o) => o.status),
        indexes ? ['done', 'done'] : ['done'],
      );
      const copy = w.target.collection('subjects_v1').handle;
      assert.ok(
        sameChecksum(await collectionChecksum(copy), original),
        'the copy is of the documents before up()',
      );
      assert.ok(await w.ledger.checkpoints.load('migrate.apply'));

      const report = await rollbackMigrations(w.rollbackInput([copying]));
      const m = report.migrations[0]!;
      assert.deepEqual(
        m.operations.map((o) => o.note),
        indexes ? ['dropped index by_name', 'dropped subjects_v1'] : ['dropped subjects_v1'],
      );
      assert.equal(m.exact, true);
      assert.ok(sameChecksum(await w.checksum(), original));
      assert.equal(
        await w.ledger.checkpoints.load('migrate.apply'),
        undefined,
        'the stopped apply is abandoned',
      );
      assert.ok(!(await w.ts.store.listCollections()).includes(w.target.collection('subjects_v1').spec.name));
      const again = await rollbackMigrations(w.rollbackInput([copying]));
      assert.equal(again.status, 'nothing');
    });
  });

  if (kind === 'sqlite')
    describe(`migrate rollback on ${kind} when the restore inside the store declines`, () => {
      let w: MigrationWorld;
      before(async () => {
        w = await migrationWorld(kind);
        await w.seed(120);
      });
      after(async () => w?.cleanup());

      test('a unique index refusing one restore: that document is reported, the rest restored', async () => {
        await applyAll(w, [splitName]);
        // After apply a user indexes `name` as unique and stores a document holding the name
        // s00000 had before apply: putting s00000 back is refused. The image's one statement
        // cannot fail one document alone, so rollback restores that image document by document.
        const keyField = w.subjects.spec.keyField;
        await w.subjects.handle.createIndex({ name: 'by_name', fields: ['name'], unique: true });
        const late = { [keyField]: 'late', name: 'First0 Last0', kind: 'person', schemaVersion: 1 };
        await w.subjects.handle.write([{ type: 'insert', doc: late }]);
        const report = await rollbackMigrations(w.rollbackInput([splitName]));
        const m = report.migrations[0]!;
        assert.equal(m.counts.changed, 119);
        assert.equal(m.counts.failed, 1);
        assert.deepEqual(
          m.failures.map((f) => [f.key, /did not take the restore/.test(f.reason)]),
          [['s00000', true]],
        );
        assert.equal(m.remainingAtTarget, 1, 'the document not restored is counted, not hidden');
        const docs = new Map((await w.docs()).map((d) => [d[keyField] as string, d]));
        assert.deepEqual(docs.get('s00001'), subjectDoc(keyField, 1), 'the others are restored exactly');
        assert.deepEqual(docs.get('late'), late);
        assert.equal((docs.get('s00000')?.name as JsonObject).first, 'First0', 'left as apply wrote it');
      });
    });

  describe(`migrate rollback resumed on ${kind}`, () => {
    let w: MigrationWorld;
    before(async () => {
      w = await migrationWorld(kind);
      await w.seed(160);
    });
    after(async () => w?.cleanup());

    test('a resumed rollback skips every image its checkpoint names as restored, on whichever page it comes', async () => {
      const original = await w.checksum();
      const pending = pendingMigrations([splitName], await readChangelog(w.ledger)).pending;
      const batched = { canaryPercent: 20, batchSize: 1 };
      const hash = planHashOf(pending, w.target, batched);
      await w.approve(hash, 'alice');
      await w.approve(hash, 'bob');
      const applied = await applyMigrations(w.applyInput([splitName], { options: batched }));
      assert.equal(applied.status, 'applied');
      // 160 images of one document: more than one page of the image scan (100 a page).
      const attempt = (await readChangelogRecord(w.ledger, splitName.id))!.attempt;
      const order: string[] = [];
      for await (const { collection, batch } of batchImages(
        await w.ledger.openCollection('backups'),
        { migration: splitName.id, attempt },
        {},
      ))
        order.push(`${collection}|${batch}`);
      assert.equal(order.length, 160);

      const stop = new AbortController();
      let restored = 0;
      const paused = await rollbackMigrations(
        w.rollbackInput([splitName], {
          signal: stop.signal,
          onEvent: (event) => {
            if (event.type === 'progress' && event.stage === 'restore' && ++restored === 130) stop.abort();
          },
        }),
      );
      assert.equal(paused.status, 'paused');
      // The checkpoint as a run that cut its pages otherwise saves it: the token of the first page,
      // and 130 images done from there, 30 of them on what is now the second page.
      const lease = await w.ledger.acquireLease({ name: migrateLease, holder: 'tamper', ttlMs: 30_000 });
      const state = (await w.ledger.checkpoints.load(rollbackJob, lease)) as JsonObject;
      const progress = state.progress as JsonObject;
      assert.equal(progress.phase, 'restore');
      const moved = { ...progress, restoreAfter: null, restoreDone: order.slice(0, 130) };
      await w.ledger.checkpoints.save(rollbackJob, { ...state, progress: moved }, lease);
      await lease.release();

      const report = await rollbackMigrations(w.rollbackInput([splitName]));
      assert.equal(report.status, 'rolled-back');
      const m = report.migrations[0]!;
      assert.equal(m.counts.changed, 160, 'each document counted once');
      assert.equal(m.counts.failed, 0);
      assert.equal(m.exact, true);
      assert.ok(sameChecksum(await w.checksum(), original));
    });
  });
}
