/**
 * What only the MongoDB adapter does: Extended JSON at the seam, keys of several BSON types in
 * one collection, `_id`-range segments, error mapping. The behaviour every store shares is in
 * test/conformance/. Runs against STEWARD_TEST_MONGODB_URI (FerretDB or MongoDB):
 *   STEWARD_TEST_MONGODB_URI=mongodb://127.0.0.1:27018/ node --import tsx --test test/stores/mongodb-adapter.test.ts
 * A store that cannot be reached fails the tests; nothing is skipped.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { MongoClient, ObjectId } from 'mongodb';
import { matchesFilter, parseFilter } from '../../src/core/filter.js';
import { keyFraction } from '../../src/core/hash.js';
import type { JsonObject } from '../../src/core/json.js';
import { isStewardError } from '../../src/errors/steward-error.js';
import { openMongoStore } from '../../src/stores/mongodb/mongodb-store.js';
import { planProbed, retriesAsReplace, verifyWrite } from '../../src/stores/mongodb/write-plan.js';
import { type CollectionSpec, type DocKey, keyId, type Store } from '../../src/stores/store.js';
import { readAll } from '../support/read-all.js';

const uri = process.env.STEWARD_TEST_MONGODB_URI;
const database = `steward_test_${randomBytes(4).toString('hex')}`;
const oid = (hex: string) => ({ $oid: hex.padStart(24, '0') });

/** Keys of three BSON types; MongoDB sorts numbers, then strings, then ObjectIds. */
function mixedKeys(n: number): DocKey[] {
  return Array.from({ length: n }, (_, i) => {
    if (i % 3 === 0) return i;
    if (i % 3 === 1) return `k${String(i).padStart(4, '0')}`;
    return oid(i.toString(16));
  });
}

const scanAll = readAll;

describe('MongoDB adapter', () => {
  let store: Store;
  let raw: MongoClient;
  const spec = (name: string): CollectionSpec => ({ name, keyField: '_id' });

  before(async () => {
    assert.ok(uri, 'set STEWARD_TEST_MONGODB_URI, such as mongodb://127.0.0.1:27018/');
    store = await openMongoStore({ kind: 'mongodb', uri, database, connectTimeoutMs: 5000 });
    raw = await new MongoClient(uri).connect();
  });

  after(async () => {
    await raw?.db(database).dropDatabase();
    await raw?.close();
    await store?.close();
  });

  test('ObjectId and Date cross the seam as $oid and $date and are stored natively', async () => {
    const s = spec('ejson');
    await store.ensureCollection(s);
    const doc = { _id: oid('abc'), at: { $date: '2026-01-02T03:04:05.006Z' }, owner: oid('def'), n: 3 };
    assert.deepEqual(await store.collection(s).write([{ type: 'insert', doc }]), [{ status: 'ok' }]);

    const stored = await raw.db(database).collection(s.name).findOne({});
    assert.ok(stored?._id instanceof ObjectId);
    assert.ok(stored?.at instanceof Date);
    assert.ok(stored?.owner instanceof ObjectId);

    const got = await store.collection(s).getMany([oid('abc'), '000000000000000000000abc']);
    assert.deepEqual([...got.keys()], [keyId(oid('abc'))]);
    assert.deepEqual(got.get(keyId(oid('abc'))), doc);
    const patched = await store
      .collection(s)
      .write([{ type: 'patch', key: oid('abc'), set: { closedAt: { $date: '2026-02-01T00:00:00Z' } } }]);
    assert.deepEqual(patched, [{ status: 'ok' }]);
    const again = await raw.db(database).collection(s.name).findOne({});
    assert.ok(again?.closedAt instanceof Date);
  });

  test('a paged scan crosses key types in MongoDB order and resumes from its token', async () => {
    const s = spec('mixed');
    await store.ensureCollection(s);
    const keys = mixedKeys(30);
    await store.collection(s).write(keys.map((k) => ({ type: 'insert', doc: { _id: k } })));
    const docs = await scanAll(store.collection(s), { limit: 4 });
    const byType = (type: string) => keys.filter((k) => typeof k === type);
    const expected = [...byType('number'), ...byType('string'), ...byType('object')];
    assert.deepEqual(
      docs.map((d) => d._id),
      expected,
    );
    const filtered = await scanAll(store.collection(s), {
      limit: 2,
      filter: parseFilter({ _id: { $gte: 'k' } }),
    });
    assert.equal(filtered.length, 10);
  });

  test('a scan continues its open cursor, and a token resumes without it in another process', async () => {
    const s = spec('continue');
    await store.ensureCollection(s);
    const keys = mixedKeys(40);
    await store.collection(s).write(keys.map((k) => ({ type: 'insert', doc: { _id: k } })));
    const first = await store.collection(s).scan({ limit: 7 });
    const second = await store.collection(s).scan({ limit: 7, after: first.next });
    const other = await openMongoStore({ kind: 'mongodb', uri: uri!, database });
    try {
      const rest = await scanAll(other.collection(s), { limit: 5, after: second.next });
      const seen = [...first.docs, ...second.docs, ...rest].map((d) => JSON.stringify(d._id));
      assert.equal(seen.length, keys.length);
      assert.equal(new Set(seen).size, keys.length);
    } finally {
      await other.close();
    }
  });

  test('filters select exactly what matchesFilter selects, arrays and paths into arrays included', async () => {
    const s = spec('filter-arrays');
    await store.ensureCollection(s);
    const values = [null, 1, 5, 'x', 'k', true, [], [1], [5, 'x'], [null], { b: 1 }, { b: null }, { b: 'x' }];
    const shapes = [
      ...values.map((a) => ({ a })),
      ...values.map((b) => ({ a: { b } })),
      ...values.map((b) => ({ a: [{ b }] })),
      ...values.map((c) => ({ a: { b: { c } } })),
      ...values.map((c) => ({ a: { b: [{ c }, { d: 1 }] } })),
      {},
      { a: [] },
      { a: [{ d: 1 }] },
    ];
    const docs: JsonObject[] = shapes.map((shape, i) => ({ _id: i, ...shape }) as JsonObject);
    await store.collection(s).write(docs.map((doc) => ({ type: 'insert', doc })));
    const filters = ['a', 'a.b', 'a.b.c'].flatMap((path) => [
      { [path]: null },
      { [path]: 1 },
      { [path]: 'x' },
      { [path]: true },
      { [path]: { $in: [null, 5] } },
      { [path]: { $in: [1, 'x'] } },
      { [path]: { $in: [] } },
      { [path]: { $exists: true } },
      { [path]: { $exists: false } },
      { [path]: { $gte: 1 } },
      { [path]: { $lt: 'z' } },
    ]);
    for (const raw of filters) {
      const filter = parseFilter(raw);
      const got = (await scanAll(store.collection(s), { filter, limit: 1000 })).map((d) => d._id);
      const want = docs.filter((d) => matchesFilter(d, filter)).map((d) => d._id);
      assert.deepEqual(got, want, JSON.stringify(raw));
    }
  });

  test('segments cover the collection exactly once, the same way on every worker', async () => {
    const s = spec('segments');
    await store.ensureCollection(s);
    const keys = mixedKeys(103);
    await store.collection(s).write(keys.map((k) => ({ type: 'insert', doc: { _id: k } })));
    const other = await openMongoStore({ kind: 'mongodb', uri: uri!, database });
    try {
      for (const total of [1, 2, 7, 150]) {
        const seen: string[] = [];
        for (let index = 0; index < total; index++) {
          const segment = { index, total };
          const mine = await scanAll(store.collection(s), { segment, limit: 5 });
          const theirs = await scanAll(other.collection(s), { segment, limit: 50 });
          assert.deepEqual(mine, theirs, `segment ${index} of ${total} differs between stores`);
          seen.push(...mine.map((d) => keyId(d._id as DocKey)));
        }
        assert.equal(seen.length, keys.length, `${total} segments`);
        assert.equal(new Set(seen).size, keys.length, `${total} segments overlap`);
      }
    } finally {
      await other.close();
    }
  });

  test('a token is checked: garbage and another segment are refused', async () => {
    const s = spec('tokens');
    await store.ensureCollection(s);
    await store.collection(s).write(mixedKeys(10).map((k) => ({ type: 'insert', doc: { _id: k } })));
    await assert.rejects(
      () => store.collection(s).scan({ after: 'not a token' }),
      (e) => isStewardError(e, 'input.invalid'),
    );
    const first = await store.collection(s).scan({ segment: { index: 0, total: 2 }, limit: 1 });
    assert.ok(first.next);
    await assert.rejects(
      () => store.collection(s).scan({ after: first.next, segment: { index: 1, total: 2 } }),
      (e) => isStewardError(e, 'input.invalid'),
    );
    await assert.rejects(
      () => store.collection(s).scan({ segment: { index: 2, total: 2 } }),
      (e) => isStewardError(e, 'input.invalid'),
    );
  });

  test('operations on one key in one batch apply in the order given', async () => {
    const s = spec('same-key');
    await store.ensureCollection(s);
    const results = await store.collection(s).write([
      { type: 'delete', key: 'a' },
      { type: 'insert', doc: { _id: 'a', v: 1 } },
      { type: 'patch', key: 'a', set: { v: 2 }, expect: { field: 'v', value: 1 } },
      { type: 'insert', doc: { _id: 'b', v: 1 } },
      { type: 'patch', key: 'a', set: { v: 3 }, expect: { field: 'v', value: 1 } },
      { type: 'delete', key: 'b' },
    ]);
    assert.deepEqual(
      results.map((r) => r.status),
      ['missing', 'ok', 'ok', 'ok', 'conflict', 'ok'],
    );
    const got = await store.collection(s).getMany(['a', 'b']);
    assert.deepEqual([...got.values()], [{ _id: 'a', v: 2 }]);
  });

  test('a write the server refuses after the read said yes is a conflict, the others still ok', async () => {
    // An Int64 beyond 2^53 reads as the nearest double, so the read sees the expected value and
    // the server does not: the same outcome as a document changed between the read and the write.
    const s = spec('shortfall');
    await store.ensureCollection(s);
    await raw
      .db(database)
      .collection(s.name)
      .insertMany([
        { _id: 'x' as never, rev: 2n ** 53n + 1n },
        { _id: 'y' as never, rev: 1 },
      ]);
    const results = await store.collection(s).write([
      { type: 'patch', key: 'x', set: { state: 'closed' }, expect: { field: 'rev', value: 2 ** 53 } },
      { type: 'patch', key: 'y', set: { state: 'closed' }, expect: { field: 'rev', value: 1 } },
      { type: 'delete', key: 'x', expect: { field: 'rev', value: 2 ** 53 } },
    ]);
    // FerretDB's writes filter by key alone (keyed mode): the expectation is judged on the read,
    // where the Int64 reads as 2^53, so the writes go through. MongoDB's server refuses them.
    const keyed = !store.capabilities.atomicConditionalWrites;
    assert.deepEqual(
      results.map((r) => r.status),
      keyed ? ['ok', 'ok', 'ok'] : ['conflict', 'ok', 'conflict'],
    );
  });

  test('on FerretDB a conditional write filters by key alone, checked on the read, verified after', async (t) => {
    if (store.capabilities.atomicConditionalWrites) {
      assert.equal((await store.ping()).product === 'FerretDB', false);
      return;
    }
    const s = spec('keyed-writes');
    await store.ensureCollection(s);
    const docs = Array.from({ length: 6 }, (_, i) => ({ _id: `d${i}`, v: 1, n: i }));
    await store.collection(s).write(docs.map((doc) => ({ type: 'insert', doc })));
    const native = raw.db(database).collection(s.name);
    const sent: Record<string, unknown>[] = [];
    const proto = Object.getPrototypeOf(native) as { bulkWrite: (...args: unknown[]) => Promise<unknown> };
    const bulkWrite = proto.bulkWrite;
    // Watches what the adapter sends; after its bulk write, an application changes d5 before the
    // adapter's re-read, as a concurrent writer could.
    t.mock.method(proto, 'bulkWrite', async function (this: unknown, ...args: unknown[]) {
      const models = args[0] as { replaceOne?: { filter: Record<string, unknown> } }[];
      for (const m of models) if (m.replaceOne) sent.push(m.replaceOne.filter);
      const out = await bulkWrite.apply(this, args);
      if ((this as { collectionName: string }).collectionName === s.name)
        await native.updateOne({ _id: 'd5' as never }, { $set: { v: 9 } });
      return out;
    });
    const results = await store.collection(s).write([
      { type: 'replace', doc: { _id: 'd0', v: 2, n: 0 }, expect: { field: 'v', value: 1 } },
      { type: 'replace', doc: { _id: 'd1', v: 2, n: 1 }, expect: { field: 'v', value: 7 } },
      { type: 'replace', doc: { _id: 'd2', v: 2, n: 2 }, expect: { field: 'v', value: 1 } },
      { type: 'replace', doc: { _id: 'gone', v: 2 }, expect: { field: 'v', value: 1 } },
      { type: 'replace', doc: { _id: 'd5', v: 2, n: 5 }, expect: { field: 'v', value: 1 } },
    ]);
    t.mock.restoreAll();
    assert.deepEqual(
      results.map((r) => r.status),
      ['ok', 'conflict', 'ok', 'missing', 'conflict'],
    );
    assert.deepEqual(sent, [{ _id: 'd0' }, { _id: 'd2' }, { _id: 'd5' }]);
    const got = await store.collection(s).getMany(['d0', 'd1', 'd2', 'd5']);
    assert.deepEqual(
      [...got.values()].map((d) => [d._id, d.v]),
      [
        ['d0', 2],
        ['d1', 1],
        ['d2', 2],
        ['d5', 9],
      ],
    );
  });

  test('on FerretDB a write round reads once before and once after, its bulk writes in chunks of 50', async (t) => {
    if (store.capabilities.atomicConditionalWrites) {
      assert.equal((await store.ping()).product === 'FerretDB', false);
      return;
    }
    const s = spec('keyed-rounds');
    await store.ensureCollection(s);
    const docs = Array.from({ length: 120 }, (_, i) => ({ _id: `k${String(i).padStart(3, '0')}`, v: 1 }));
    await store.collection(s).write(docs.map((doc) => ({ type: 'insert', doc })));
    const native = raw.db(database).collection(s.name);
    const proto = Object.getPrototypeOf(native) as Record<string, (...args: unknown[]) => unknown>;
    const finds: unknown[] = [];
    const bulks: number[] = [];
    const find = proto.find!;
    const bulkWrite = proto.bulkWrite!;
    t.mock.method(proto, 'find', function (this: { collectionName: string }, ...args: unknown[]) {
      if (this.collectionName === s.name) finds.push(args[0]);
      return find.apply(this, args);
    });
    t.mock.method(proto, 'bulkWrite', function (this: { collectionName: string }, ...args: unknown[]) {
      if (this.collectionName === s.name) bulks.push((args[0] as unknown[]).length);
      return bulkWrite.apply(this, args);
    });
    const results = await store
      .collection(s)
      .write(
        docs.map((doc) => ({ type: 'replace', doc: { ...doc, v: 2 }, expect: { field: 'v', value: 1 } })),
      );
    t.mock.restoreAll();
    assert.deepEqual(
      [results.filter((r) => r.status === 'ok').length, finds.length, bulks],
      [120, 2, [50, 50, 20]],
      'one read of the 120 before, three bulk writes, one read after',
    );
    assert.equal(await store.collection(s).count({ filter: parseFilter({ v: 2 }) }), 120);
  });

  test('where conditions are atomic, replaces and upserts go without a read first, a shortfall is judged after', async (t) => {
    const s = spec('unread-replaces');
    await store.ensureCollection(s);
    const docs = Array.from({ length: 3 }, (_, i) => ({ _id: `d${i}`, v: 1, n: i }));
    await store.collection(s).write(docs.map((doc) => ({ type: 'insert', doc })));
    const native = raw.db(database).collection(s.name);
    const proto = Object.getPrototypeOf(native) as { find: (...args: unknown[]) => unknown };
    const find = proto.find;
    let finds = 0;
    t.mock.method(proto, 'find', function (this: unknown, ...args: unknown[]) {
      if ((this as { collectionName: string }).collectionName === s.name) finds++;
      return find.apply(this, args);
    });
    const save = (v: number, expect: number) =>
      store
        .collection(s)
        .write([{ type: 'replace', doc: { _id: 'd0', v, n: 0 }, expect: { field: 'v', value: expect } }]);
    const applied = await save(2, 1);
    const findsWhenApplied = finds;
    const results = await store.collection(s).write([
      { type: 'replace', doc: { _id: 'd1', v: 2, n: 1 }, expect: { field: 'v', value: 1 } },
      { type: 'replace', doc: { _id: 'd2', v: 2, n: 2 }, expect: { field: 'v', value: 7 } },
      { type: 'replace', doc: { _id: 'gone', v: 2 }, expect: { field: 'v', value: 1 } },
      { type: 'replace', doc: { _id: 'd0', v: 3, n: 0 } },
    ]);
    const findsAfterReplaces = finds;
    const upserts = await store.collection(s).write([
      { type: 'replace', doc: { _id: 'new', v: 1 }, upsert: true },
      { type: 'replace', doc: { _id: 'd1', v: 3, n: 1 }, upsert: true },
    ]);
    t.mock.restoreAll();
    assert.deepEqual(
      upserts.map((r) => r.status),
      ['ok', 'ok'],
    );
    assert.deepEqual(applied, [{ status: 'ok' }]);
    assert.deepEqual(
      results.map((r) => r.status),
      ['ok', 'conflict', 'missing', 'ok'],
    );
    // FerretDB (keyed mode) reads first and re-reads after; an atomic server needs one bulk write
    // when all apply, and one find after it when some do not.
    const keyed = !store.capabilities.atomicConditionalWrites;
    assert.equal(findsWhenApplied, keyed ? 2 : 0);
    if (!keyed) assert.equal(findsAfterReplaces, 1);
    // Upserts probe which keys exist only where a replaceOne costs a scan (FerretDB).
    assert.equal(finds - findsAfterReplaces, keyed ? 1 : 0);
    const got = await store.collection(s).getMany(['d0', 'd1', 'd2']);
    assert.deepEqual([...got.values()].map((d) => [d._id, d.v]).sort(), [
      ['d0', 3],
      ['d1', 3],
      ['d2', 1],
    ]);
  });

  test('after a concurrent change, a write is judged by whether its effect is visible', () => {
    const doc = { _id: 'a', v: 2, at: { $date: '2026-01-01T00:00:00Z' } };
    assert.equal(verifyWrite({ type: 'patch', key: 'a', set: { v: 2 } }, doc).status, 'ok');
    assert.equal(verifyWrite({ type: 'patch', key: 'a', set: { v: 3 } }, doc).status, 'conflict');
    assert.equal(verifyWrite({ type: 'patch', key: 'a', unset: ['v'] }, undefined).status, 'missing');
    assert.equal(
      verifyWrite({ type: 'replace', doc: { ...doc, at: { $date: '2026-01-01T00:00:00.000Z' } } }, doc)
        .status,
      'ok',
    );
    assert.equal(verifyWrite({ type: 'delete', key: 'a' }, undefined).status, 'ok');
    assert.equal(verifyWrite({ type: 'delete', key: 'a' }, doc).status, 'conflict');
  });

  test('upserts of new keys go as inserts, and one refused for a taken key is retried as a replace', () => {
    const s = spec('probe-plan');
    const upsert = { type: 'replace', doc: { _id: 'a', v: 1 }, upsert: true } as const;
    const absent = planProbed(upsert, s, false);
    assert.ok('model' in absent && 'insertOne' in absent.model && absent.upsert);
    assert.ok(retriesAsReplace(absent, 11000));
    assert.ok(!retriesAsReplace(absent, 121), 'other refusals are reported, not retried');
    const present = planProbed(upsert, s, true);
    assert.ok('model' in present && 'replaceOne' in present.model);
    const insert = { type: 'insert', doc: { _id: 'a' } } as const;
    assert.deepEqual(planProbed(insert, s, true), { result: { status: 'exists' } });
    const fresh = planProbed(insert, s, false);
    assert.ok('model' in fresh && !retriesAsReplace(fresh, 11000), 'a plain insert of a taken key is exists');
  });

  test('an upsert sent as an insert and refused for a duplicate key ends as its replaceOne would', async () => {
    // A second unique index makes the insert of a new key fail with 11000 deterministically; the
    // replaceOne it falls back to fails the same way, a conflict, as without the fast path.
    const s = spec('probe-refused');
    await store.ensureCollection(s);
    await raw
      .db(database)
      .collection(s.name)
      .createIndex({ email: 1 }, { unique: true, name: 'email_unique' });
    const c = store.collection(s);
    await c.write([{ type: 'insert', doc: { _id: 'a', email: 'x@example.org' } }]);
    const results = await c.write([
      { type: 'replace', doc: { _id: 'b', email: 'x@example.org' }, upsert: true },
      { type: 'replace', doc: { _id: 'c', email: 'c@example.org' }, upsert: true },
      { type: 'replace', doc: { _id: 'a', email: 'x@example.org', v: 2 }, upsert: true },
      { type: 'insert', doc: { _id: 'a', email: 'z@example.org' } },
    ]);
    assert.deepEqual(
      results.map((r) => r.status),
      ['conflict', 'ok', 'ok', 'exists'],
    );
    const got = await c.getMany(['a', 'b', 'c']);
    assert.deepEqual([...got.keys()].sort(), [keyId('a'), keyId('c')]);
    assert.deepEqual(got.get(keyId('a')), { _id: 'a', email: 'x@example.org', v: 2 });
  });

  test('a key field other than _id is unique and addresses documents', async () => {
    const s: CollectionSpec = { name: 'by-code', keyField: 'code' };
    await store.ensureCollection(s);
    await store.ensureCollection(s);
    const indexes = await store.collection(s).listIndexes();
    assert.ok(indexes.some((i) => i.unique && i.fields.join() === 'code'));
    const c = store.collection(s);
    const first = await c.write([
      { type: 'insert', doc: { code: 'A1', v: 1 } },
      { type: 'insert', doc: { code: 'A1', v: 2 } },
      { type: 'replace', doc: { code: 'B2', v: 1 }, upsert: true },
    ]);
    assert.deepEqual(
      first.map((r) => r.status),
      ['ok', 'exists', 'ok'],
    );
    const got = await c.getMany(['A1', 'B2']);
    assert.equal(got.get(keyId('A1'))?.v, 1);
    assert.equal(got.size, 2);
  });

  test('a sandbox copy keeps BSON types, indexes and exactly the keyFraction sample', async () => {
    const s = spec('copy-source');
    const sandbox = spec('copy-sandbox');
    await store.ensureCollection(s);
    const keys = mixedKeys(60);
    await store
      .collection(s)
      .write(keys.map((k) => ({ type: 'insert', doc: { _id: k, at: { $date: '2026-01-01T00:00:00Z' } } })));
    await raw.db(database).collection(s.name).createIndex({ at: 1 }, { name: 'by_at', unique: false });
    await raw
      .db(database)
      .collection(s.name)
      .updateOne({ _id: 0 as never }, { $set: { big: 2n ** 60n } });

    const result = await store.copyCollection(s, sandbox, { fraction: 0.5, seed: 'demo' });
    const expected = keys.filter((k) => keyFraction(keyId(k), 'demo') < 0.5);
    assert.equal(result.copied, expected.length);
    const copied = await scanAll(store.collection(sandbox));
    assert.deepEqual(new Set(copied.map((d) => keyId(d._id as DocKey))), new Set(expected.map(keyId)));
    assert.ok((await store.collection(sandbox).listIndexes()).some((i) => i.name === 'by_at'));

    const whole = await store.copyCollection(s, sandbox);
    assert.equal(whole.copied, keys.length);
    const big = await raw
      .db(database)
      .collection(sandbox.name)
      .findOne({ _id: 0 as never }, { promoteLongs: false });
    assert.equal(big?.big?._bsontype, 'Long', 'an Int64 keeps its type in the copy');
  });

  test('a large batch of replaces of existing documents completes (FerretDB gets it in chunks)', async () => {
    const s = spec('large_replace');
    await store.ensureCollection(s);
    const c = store.collection(s);
    const docs = Array.from({ length: 300 }, (_, i) => ({ _id: `r${i}`, v: 1 }));
    assert.ok((await c.write(docs.map((doc) => ({ type: 'insert', doc })))).every((r) => r.status === 'ok'));
    const replaced = await c.write(docs.map((doc) => ({ type: 'replace', doc: { ...doc, v: 2 } })));
    assert.equal(replaced.filter((r) => r.status === 'ok').length, 300);
    assert.equal(await c.count({ filter: parseFilter({ v: 2 }) }), 300);
  });

  test('counts, estimates, missing collections and ping', async () => {
    const s = spec('mixed');
    assert.equal(await store.collection(s).count(), 30);
    assert.equal(await store.collection(s).count({ estimate: true }), 30);
    assert.equal(await store.collection(s).count({ filter: parseFilter({ _id: { $lt: 1000 } }) }), 10);
    const missing = spec('never-made');
    await assert.rejects(
      () => store.collection(missing).count(),
      (e) => isStewardError(e, 'collection.not-found'),
    );
    await assert.rejects(
      () => store.collection(missing).listIndexes(),
      (e) => isStewardError(e, 'collection.not-found'),
    );
    await assert.rejects(
      () => store.copyCollection(missing, spec('never-copy')),
      (e) => isStewardError(e, 'collection.not-found'),
    );
    assert.ok(!(await store.listCollections()).includes('never-made'));
    const info = await store.ping();
    assert.match(info.product, /^(MongoDB|FerretDB)$/);
    assert.match(info.version, /^\d+\.\d+/);
  });
});

describe('MongoDB adapter errors', () => {
  test('an unreachable server is store.unreachable naming the host, within the timeout', async () => {
    const started = Date.now();
    await assert.rejects(
      () =>
        openMongoStore({ kind: 'mongodb', uri: 'mongodb://127.0.0.1:1/', database, connectTimeoutMs: 800 }),
      (e) => isStewardError(e, 'store.unreachable') && e.message.includes('127.0.0.1:1') && e.exitCode === 3,
    );
    assert.ok(Date.now() - started < 5000);
  });

  test('refused credentials are store.auth and the password is never shown', async () => {
    assert.ok(uri);
    const withCredentials = uri.replace('mongodb://', 'mongodb://steward_nobody:s3cret-pw@');
    await assert.rejects(
      () => openMongoStore({ kind: 'mongodb', uri: withCredentials, database, connectTimeoutMs: 3000 }),
      (e) => isStewardError(e, 'store.auth') && !e.message.includes('s3cret-pw'),
    );
  });
});
