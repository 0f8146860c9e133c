/**
 * The write machinery apply and rollback lean on, on every selected store: a large call of
 * conditional replaces (one statement each on SQLite, transactions of 100 on DynamoDB with a
 * cancelled one rerun one by one) gives each operation its own outcome; batch images split into
 * chunks, read back whole, and a head names only complete chunks whatever a crash leaves behind.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { storedTextDigest } from '../../src/core/hash.js';
import type { JsonObject } from '../../src/core/json.js';
import { type BatchTarget, plannedDocument, writeBatch } from '../../src/migrations/apply/write-batch.js';
import {
  batchImageId,
  batchImages,
  dropReplacedChunks,
  entriesTextField,
  type ImageEntry,
  imageChunkBytes,
  readBatchImage,
  saveBatchImage,
} from '../../src/migrations/batch-images.js';
import { saveBeforeImages } from '../../src/migrations/before-images.js';
import { documentDigest } from '../../src/migrations/collection-checksum.js';
import { scanDocuments } from '../../src/stores/scan-pages.js';
import { type Collection, keyId, type WriteOp } from '../../src/stores/store.js';
import { sqliteStoredText } from '../support/sqlite-stored-text.js';
import { openTestStore, selectedKinds, type TestStore } from '../support/test-stores.js';

const key = (i: number) => `k${String(i).padStart(4, '0')}`;

/** Batch `b1` of the rest pass of migration m1's first attempt on `tasks` (version field `v`). */
const batchTarget = (backups: Collection, collection: Collection): BatchTarget => ({
  backups,
  collection,
  name: 'tasks',
  versionField: 'v',
  migration: 'm1',
  attempt: 1,
  stage: 'rest',
  batch: 'b1',
  now: '2026-12-05T00:00:00.000Z',
});

for (const kind of selectedKinds()) {
  describe(`batch writes and batch images on ${kind}`, () => {
    let t: TestStore;
    before(async () => {
      t = await openTestStore(kind);
    });
    after(async () => t.cleanup());

    /** A documents collection `name` and its backups collection, both created. */
    const withBackups = async (name: string) => {
      const spec = t.spec(name);
      const backupsSpec = t.spec(`${name}_backups`);
      await t.store.ensureCollection(spec);
      await t.store.ensureCollection(backupsSpec);
      return { spec, c: t.store.collection(spec), backups: t.store.collection(backupsSpec) };
    };

    test('150 conditional replaces in one call: one conflict, one missing, the rest written', async () => {
      const spec = t.spec('conditional');
      await t.store.ensureCollection(spec);
      const c = t.store.collection(spec);
      const doc = (i: number, v: number): JsonObject => ({ [spec.keyField]: key(i), v, note: `n${i}` });
      await c.write(Array.from({ length: 150 }, (_, i) => ({ type: 'insert', doc: doc(i, 1) }) as WriteOp));
      await c.write([{ type: 'delete', key: key(42) }]);
      await c.write([{ type: 'replace', doc: doc(7, 5) }]);
      const ops: WriteOp[] = Array.from({ length: 150 }, (_, i) => ({
        type: 'replace',
        doc: doc(i, 2),
        expect: { field: 'v', value: 1 },
      }));
      const results = await c.write(ops);
      const statuses = results.map((r) => r.status);
      assert.equal(statuses[7], 'conflict');
      assert.equal(statuses[42], 'missing');
      assert.equal(statuses.filter((s) => s === 'ok').length, 148);
      const got = await c.getMany(Array.from({ length: 150 }, (_, i) => key(i)));
      assert.equal(got.get(keyId(key(7)))?.v, 5, 'the conflicting document is left as it was');
      assert.equal(got.has(keyId(key(42))), false, 'the missing document is not created');
      for (const i of [0, 6, 8, 99, 100, 149]) assert.equal(got.get(keyId(key(i)))?.v, 2);
    });

    test('a batch image larger than a chunk is split, read back whole and replaced run by run', async () => {
      const spec = t.spec('backups');
      await t.store.ensureCollection(spec);
      const backups = t.store.collection(spec);
      const owner = { migration: 'm1', attempt: 1, collection: 'tasks' };
      const saved = { ...owner, stage: 'rest', savedAt: '2026-11-23T00:00:00.000Z' };
      const entry = (i: number): ImageEntry => ({
        key: key(i),
        doc: { id: key(i), body: 'x'.repeat(2000), n: i },
        writtenVersion: 2,
      });
      const entries = Array.from({ length: 300 }, (_, i) => entry(i));
      const first = await saveBatchImage(backups, saved, 'b1', entries, undefined);
      assert.ok(first.chunks >= Math.ceil((300 * 2000) / imageChunkBytes), `${first.chunks} chunks`);
      const read = await readBatchImage(backups, owner, 'b1');
      assert.deepEqual(read?.entries, entries);
      if (!backups.encode) {
        // Where the store does not write text, each chunk holds its elements as one JSON text.
        const head = (await backups.getMany([batchImageId(owner, 'b1')])).get(
          keyId(batchImageId(owner, 'b1')),
        );
        assert.equal(typeof head?.[entriesTextField], 'string', 'the head holds its elements as one text');
        assert.equal(head?.entries, undefined, 'and no array of them');
        // Images an older steward saved, with `entries` as an array of objects, read the same.
        const older: WriteOp[] = [];
        for await (const doc of scanDocuments(backups)) {
          const { [entriesTextField]: text, ...rest } = doc;
          if (typeof text === 'string')
            older.push({ type: 'replace', doc: { ...rest, entries: JSON.parse(text) } });
        }
        await backups.write(older);
        const rewritten = (await backups.getMany([batchImageId(owner, 'b1')])).get(
          keyId(batchImageId(owner, 'b1')),
        );
        assert.ok(Array.isArray(rewritten?.entries), 'rewritten in the older layout');
        assert.deepEqual((await readBatchImage(backups, owner, 'b1'))?.entries, entries);
      }

      // A rerun that died while saving its chunks: the next run's chunks exist, the head does not
      // name them yet. Reading still gives the complete first run.
      const head = batchImageId(owner, 'b1');
      await backups.write([
        {
          type: 'replace',
          upsert: true,
          doc: { [spec.keyField]: `${head}|1|1`, part: 'chunk', entries: [] },
        },
      ]);
      assert.deepEqual((await readBatchImage(backups, owner, 'b1'))?.entries, entries);

      const fewer = entries.slice(0, 10);
      const second = await saveBatchImage(backups, saved, 'b1', fewer, first);
      await dropReplacedChunks(backups, owner, 'b1', first, second);
      assert.deepEqual([second.run, second.chunks], [1, 1]);
      assert.deepEqual((await readBatchImage(backups, owner, 'b1'))?.entries, fewer);
      const ids: string[] = [];
      for await (const doc of scanDocuments(backups)) ids.push(String(doc[spec.keyField]));
      assert.ok(!ids.some((id) => id.startsWith(`${head}|0|`)), 'the first run’s chunks are deleted');

      const pages = [];
      for await (const page of batchImages(backups, { migration: 'm1', attempt: 1 }, {})) pages.push(page);
      assert.deepEqual(
        pages.map((p) => [p.collection, p.image.entries.length]),
        [['tasks', 10]],
      );
    });

    test('writeBatch: the image holds what each write replaced; a refused write leaves no entry', async () => {
      const { spec, c, backups } = await withBackups('imaged');
      const doc = (i: number, v: number, note: string): JsonObject => ({ [spec.keyField]: key(i), v, note });
      await c.write([0, 1, 2].map((i) => ({ type: 'insert', doc: doc(i, 1, `read${i}`) }) as WriteOp));
      const read = [0, 1, 2].map((i) => doc(i, 1, `read${i}`));
      // Between apply's read and its write: one document changed at the same version, one moved on.
      await c.write([
        { type: 'replace', doc: doc(1, 1, 'changed meanwhile') },
        { type: 'replace', doc: doc(2, 7, 'moved on') },
      ]);
      const planned = read.map((d) => ({
        doc: d,
        plan: { kind: 'write' as const, key: d[spec.keyField] as string, next: { ...d, v: 2 }, expect: 1 },
      }));
      const out = await writeBatch(batchTarget(backups, c), planned);
      assert.deepEqual(
        out.map((o) => o.outcome),
        ['changed', 'changed', 'failed'],
      );
      const image = await readBatchImage(backups, { migration: 'm1', attempt: 1, collection: 'tasks' }, 'b1');
      const byKey = new Map(image?.entries.map((e) => [e.key, e.doc]));
      assert.deepEqual([...byKey.keys()].sort(), [key(0), key(1)], 'no entry for the refused write');
      assert.deepEqual(byKey.get(key(0)), read[0]);
      // Where the image is copied from the stored row in the write's transaction (SQLite), it holds
      // exactly what the write replaced; elsewhere the document as apply read it.
      const expected = t.store.collection(spec).writeWithCopy ? doc(1, 1, 'changed meanwhile') : read[1];
      assert.deepEqual(byKey.get(key(1)), expected);
    });

    test('writeBatch serializes a written document once; the kept text digest is of the stored text', async () => {
      const { spec, c: real, backups } = await withBackups('encoded');
      const doc = (i: number, v: number): JsonObject => ({ [spec.keyField]: key(i), v, note: `n${i}` });
      await real.write([0, 1, 2].map((i) => ({ type: 'insert', doc: doc(i, 1) }) as WriteOp));
      // Each rewritten document changes after apply planned (and digested) it, just before the
      // store writes it: what is stored must still be what the kept digests say.
      const c = new Proxy(real, {
        get(target, name, receiver) {
          const value = Reflect.get(target, name, receiver);
          if ((name === 'write' || name === 'writeWithCopy') && typeof value === 'function')
            return (ops: WriteOp[], ...rest: unknown[]) => {
              for (const op of ops) if (op.type === 'replace') op.doc.note = 'changed before the write';
              return (value as (...args: unknown[]) => unknown).call(target, ops, ...rest);
            };
          return typeof value === 'function' ? value.bind(target) : value;
        },
      });
      const planned = [0, 1, 2].map((i) =>
        plannedDocument(doc(i, 1), { kind: 'write', key: key(i), next: doc(i, 2), expect: 1 }),
      );
      const nexts = new Set<unknown>(planned.map((p) => (p.plan.kind === 'write' ? p.plan.next : undefined)));
      const stringify = JSON.stringify;
      let serialized = 0;
      JSON.stringify = ((value: unknown, ...rest: never[]) => {
        if (nexts.has(value)) serialized++;
        return stringify(value, ...rest);
      }) as typeof JSON.stringify;
      let out: Awaited<ReturnType<typeof writeBatch>>;
      try {
        out = await writeBatch(batchTarget(backups, c), planned);
      } finally {
        JSON.stringify = stringify;
      }
      assert.deepEqual(
        out.map((o) => o.outcome),
        ['changed', 'changed', 'changed'],
      );
      const image = await readBatchImage(backups, { migration: 'm1', attempt: 1, collection: 'tasks' }, 'b1');
      assert.equal(image?.entries.length, 3);
      if (!real.encode) {
        // Stores that re-encode what they are given keep content digests only.
        assert.ok(image?.entries.every((e) => e.writtenTextDigest === undefined));
        return;
      }
      // SQLite: one `JSON.stringify` a written document (its encoding), for the write and the digest.
      assert.equal(serialized, 3, 'each written document serialized once');
      for (const entry of image?.entries ?? []) {
        const text = sqliteStoredText(t.config, spec, entry.key);
        assert.ok(text !== undefined && entry.writtenTextDigest !== undefined);
        assert.equal(
          storedTextDigest(text),
          entry.writtenTextDigest,
          `${entry.key}: kept digest is the stored text's`,
        );
        assert.equal(
          documentDigest(JSON.parse(text)),
          entry.writtenDigest,
          `${entry.key}: content digest too`,
        );
      }
    });

    test('writeBatch reads the backups collection once a batch, and inserts a first image', async () => {
      const { spec, c, backups: real } = await withBackups('reads');
      const calls: string[] = [];
      // A counting wrapper around the real collection (not a mock): every call still reaches the store.
      const backups = new Proxy(real, {
        get(target, name, receiver) {
          const value = Reflect.get(target, name, receiver);
          if (name === 'getMany') calls.push('getMany');
          if (name === 'write')
            return (ops: WriteOp[]) => {
              calls.push(`write ${ops.map((op) => op.type).join(',')}`);
              return target.write(ops);
            };
          return typeof value === 'function' ? value.bind(target) : value;
        },
      });
      const doc = (i: number, v: number): JsonObject => ({ [spec.keyField]: key(i), v });
      await c.write([0, 1, 2].map((i) => ({ type: 'insert', doc: doc(i, i === 0 ? 2 : 1) }) as WriteOp));
      const owner = { migration: 'm1', attempt: 1, collection: 'tasks' };
      await saveBeforeImages(real, [
        { ...owner, key: key(0), doc: null, writtenVersion: 2, savedAt: '2026-12-05T00:00:00.000Z' },
      ]);
      const planned = [
        { doc: doc(0, 2), plan: { kind: 'at-target' as const, key: key(0) } },
        ...[1, 2].map((i) => ({
          doc: doc(i, 1),
          plan: { kind: 'write' as const, key: key(i), next: doc(i, 2), expect: 1 },
        })),
      ];
      const out = await writeBatch(batchTarget(backups, c), planned);
      assert.deepEqual(
        out.map((o) => o.outcome),
        ['skipped', 'changed', 'changed'],
      );
      const image = await readBatchImage(real, owner, 'b1');
      assert.deepEqual(image?.entries.map((e) => e.key).sort(), [key(1), key(2)]);
      // The image head and the marker of the document at the target: one read. The image: one
      // insert (or, where the store pushes the image down with the writes, no call here at all).
      assert.deepEqual(calls.filter((call) => call === 'getMany').length, 1, calls.join('; '));
      const writes = calls.filter((call) => call.startsWith('write'));
      assert.ok(
        writes.length === 0 || (writes.length === 1 && writes[0] === 'write insert'),
        calls.join('; '),
      );
    });
  });
}
