/**
 * Conformance: the same behaviour on every store. Run one store with
 *   STEWARD_TEST_STORES=sqlite node --import tsx --test test/conformance/*.test.ts
 * (mongodb and dynamodb also need STEWARD_TEST_MONGODB_URI / STEWARD_TEST_DYNAMODB_ENDPOINT;
 * `npm test` starts the servers and runs all three).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { parseFilter } from '../../src/core/filter.js';
import type { JsonObject } from '../../src/core/json.js';
import { isStewardError } from '../../src/errors/steward-error.js';
import { keyId, type WriteOp } from '../../src/stores/store.js';
import { openTestStore, selectedKinds, type TestStore } from '../support/test-stores.js';

for (const kind of selectedKinds()) {
  describe(`documents on ${kind}`, () => {
    let t: TestStore;
    before(async () => {
      t = await openTestStore(kind);
    });
    after(async () => t.cleanup());

    const doc = (spec: { keyField: string }, key: string | number, rest: JsonObject = {}): JsonObject => ({
      [spec.keyField]: key,
      ...rest,
    });

    test('documents round-trip exactly, whatever their shape', async () => {
      const spec = t.spec('roundtrip');
      await t.store.ensureCollection(spec);
      const rich = doc(spec, 'r1', {
        title: 'Überprüfung — 案件 🚓',
        count: 42,
        ratio: 0.125,
        negative: -7,
        big: 9007199254740991,
        flag: false,
        nothing: null,
        tags: ['a', 'b', 'a'],
        nested: { deeper: { value: 'x', list: [1, { y: true }] } },
        emptyList: [],
        emptyObject: {},
        emptyString: '',
      });
      const results = await t.store.collection(spec).write([{ type: 'insert', doc: rich }]);
      assert.deepEqual(results, [{ status: 'ok' }]);
      const got = await t.store.collection(spec).getMany(['r1']);
      assert.deepEqual(got.get(keyId('r1')), rich);
    });

    test('getMany fetches many keys, leaves missing ones out and keeps 1 and "1" apart', async () => {
      const spec = t.spec('getmany');
      await t.store.ensureCollection(spec);
      const c = t.store.collection(spec);
      const docs = Array.from({ length: 250 }, (_, i) => doc(spec, `k${i}`, { n: i }));
      await c.write(docs.map((d) => ({ type: 'insert', doc: d })));
      const keys = [...docs.map((_, i) => `k${i}`), 'absent-1', 'absent-2', 'k7'];
      const got = await c.getMany(keys);
      assert.equal(got.size, 250);
      assert.deepEqual(got.get(keyId('k199')), docs[199]);
      assert.equal(got.has(keyId('absent-1')), false);

      if (kind === 'dynamodb') return; // a DynamoDB partition key has one type per table
      await c.write([
        { type: 'insert', doc: doc(spec, 1, { type: 'number' }) },
        { type: 'insert', doc: doc(spec, '1', { type: 'string' }) },
      ]);
      const both = await c.getMany([1, '1']);
      assert.equal(both.get(keyId(1))?.type, 'number');
      assert.equal(both.get(keyId('1'))?.type, 'string');
    });

    test('every write returns one result per operation, in order', async () => {
      const spec = t.spec('writes');
      await t.store.ensureCollection(spec);
      const c = t.store.collection(spec);
      const ops: WriteOp[] = [
        { type: 'insert', doc: doc(spec, 'a', { v: 1 }) },
        { type: 'insert', doc: doc(spec, 'a', { v: 2 }) },
        { type: 'replace', doc: doc(spec, 'b', { v: 1 }) },
        { type: 'replace', doc: doc(spec, 'b', { v: 1 }), upsert: true },
        { type: 'patch', key: 'zz', set: { v: 3 } },
        { type: 'delete', key: 'zz' },
        { type: 'patch', key: 'a', set: { 'address.city': 'Ghent', v: 5 }, unset: ['missingField'] },
      ];
      const results = await c.write(ops);
      assert.deepEqual(
        results.map((r) => r.status),
        ['ok', 'exists', 'missing', 'ok', 'missing', 'missing', 'ok'],
      );
      const got = await c.getMany(['a', 'b']);
      assert.deepEqual(got.get(keyId('a')), doc(spec, 'a', { v: 5, address: { city: 'Ghent' } }));

      const second = await c.write([
        { type: 'patch', key: 'a', unset: ['address.city', 'v'] },
        { type: 'delete', key: 'b' },
      ]);
      assert.deepEqual(
        second.map((r) => r.status),
        ['ok', 'ok'],
      );
      const after = await c.getMany(['a', 'b']);
      assert.deepEqual(after.get(keyId('a')), doc(spec, 'a', { address: {} }));
      assert.equal(after.has(keyId('b')), false);
    });

    test('a write conditional on a version is refused when the version moved', async () => {
      const spec = t.spec('expect');
      await t.store.ensureCollection(spec);
      const c = t.store.collection(spec);
      await c.write([
        { type: 'insert', doc: doc(spec, 'x', { rev: 3, state: 'open' }) },
        { type: 'insert', doc: doc(spec, 'y', { state: 'open' }) },
      ]);
      const results = await c.write([
        { type: 'patch', key: 'x', set: { state: 'closed' }, expect: { field: 'rev', value: 2 } },
        { type: 'patch', key: 'x', set: { state: 'review', rev: 4 }, expect: { field: 'rev', value: 3 } },
        { type: 'replace', doc: doc(spec, 'y', { state: 'closed' }), expect: { field: 'rev', value: 1 } },
        {
          type: 'replace',
          doc: doc(spec, 'y', { state: 'closed', rev: 1 }),
          expect: { field: 'rev', value: undefined },
        },
        { type: 'delete', key: 'x', expect: { field: 'rev', value: 3 } },
        { type: 'patch', key: 'nope', set: { a: 1 }, expect: { field: 'rev', value: 1 } },
        { type: 'patch', key: 'y', set: { note: 'n' }, expect: { field: 'gone', value: null } },
      ]);
      assert.deepEqual(
        results.map((r) => r.status),
        ['conflict', 'ok', 'conflict', 'ok', 'conflict', 'missing', 'ok'],
      );
      const got = await c.getMany(['x', 'y']);
      assert.deepEqual(got.get(keyId('x')), doc(spec, 'x', { rev: 4, state: 'review' }));
      assert.deepEqual(got.get(keyId('y')), doc(spec, 'y', { state: 'closed', rev: 1, note: 'n' }));
    });

    // A document's key is what every read by key, every key range and every reference finds it by
    // (SQLite answers key filters from its key column): a patch may not change or remove it.
    // Setting it to the value it has is a no-op, as DynamoDB allows.
    test('a patch that would change or remove the key field is refused; the document stays', async () => {
      const spec = t.spec('patch-key');
      await t.store.ensureCollection(spec);
      const c = t.store.collection(spec);
      await c.write([{ type: 'insert', doc: doc(spec, 'k1', { v: 1 }) }]);
      const results = await c.write([
        { type: 'patch', key: 'k1', set: { [spec.keyField]: 'k2' } },
        { type: 'patch', key: 'k1', unset: [spec.keyField] },
        { type: 'patch', key: 'k1', set: { [spec.keyField]: 'k1', v: 2 } },
      ]);
      assert.deepEqual(
        results.map((r) => r.status),
        ['failed', 'failed', 'ok'],
      );
      const got = await c.getMany(['k1', 'k2']);
      assert.deepEqual(got.get(keyId('k1')), doc(spec, 'k1', { v: 2 }));
      assert.equal(got.has(keyId('k2')), false);
      const page = await c.scan({ filter: parseFilter({ [spec.keyField]: 'k1' }) });
      assert.deepEqual(
        page.docs.map((d) => d[spec.keyField]),
        ['k1'],
      );
    });

    // MongoDB stores a replacement as given, `_id` first, and SQLite stores the JSON text given:
    // both read back in the replacement's field order. DynamoDB keeps no attribute order, so there
    // the case checks the content alone. mongo-java-server keeps the stored document's order on a
    // replace: this case fails there (docs/mongodb-targets.md).
    const keepsOrder = kind !== 'dynamodb';
    test('a replaced document reads back as the replacement, in its field order where the store keeps one', async () => {
      const spec = t.spec('field-order');
      await t.store.ensureCollection(spec);
      const collection = t.store.collection(spec);
      await collection.write([
        { type: 'insert', doc: doc(spec, 'o1', { a: 1, b: 2, c: 3, v: 1 }) },
        { type: 'insert', doc: doc(spec, 'o2', { a: 1, b: 2, c: 3 }) },
      ]);
      const conditional = doc(spec, 'o1', { c: 3, renamed: 2, a: 1, v: 2 });
      const plain = doc(spec, 'o2', { c: 3, b: 2, a: 1 });
      const results = await collection.write([
        { type: 'replace', doc: conditional, expect: { field: 'v', value: 1 } },
        { type: 'replace', doc: plain },
      ]);
      assert.deepEqual(results, [{ status: 'ok' }, { status: 'ok' }]);
      const got = await collection.getMany(['o1', 'o2']);
      assert.deepEqual(got.get(keyId('o1')), conditional);
      assert.deepEqual(got.get(keyId('o2')), plain);
      if (!keepsOrder) return;
      const order = (d: JsonObject | undefined) => Object.keys(d ?? {}).filter((k) => k !== '_id');
      assert.deepEqual(order(got.get(keyId('o1'))), order(conditional));
      assert.deepEqual(order(got.get(keyId('o2'))), order(plain));
    });

    test('a collection that does not exist is a clear not-found error', async () => {
      const spec = t.spec('never-created');
      await assert.rejects(
        () => t.store.collection(spec).scan({ limit: 10 }),
        (e) => isStewardError(e, 'collection.not-found') && e.message.includes(spec.name),
      );
      await assert.rejects(
        () => t.store.collection(spec).write([{ type: 'insert', doc: doc(spec, 'a') }]),
        (e) => isStewardError(e, 'collection.not-found'),
      );
    });

    test('collections are listed, dropped idempotently, and report their primary index', async () => {
      const spec = t.spec('listing');
      await t.store.ensureCollection(spec);
      await t.store.ensureCollection(spec);
      assert.ok((await t.store.listCollections()).some((name) => name.includes(spec.name)));
      const indexes = await t.store.collection(spec).listIndexes();
      assert.ok(indexes.some((i) => i.unique && i.fields.length >= 1));
      await t.store.dropCollection(spec);
      await t.store.dropCollection(spec);
      assert.ok(!(await t.store.listCollections()).some((name) => name.includes(spec.name)));
    });

    test('ping names the product and its version', async () => {
      const info = await t.store.ping();
      assert.ok(info.product.length > 0);
      assert.ok(info.version.length > 0);
    });
  });
}
