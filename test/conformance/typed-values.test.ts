/**
 * Conformance: Extended JSON typed values (`$oid`, `$date`, `$numberDecimal`, UUID `$binary`/`$uuid`,
 * `$numberLong`) in filters select on every store exactly what the reference evaluator
 * (`matchesFilter`) selects, over documents holding them as the seam does. On MongoDB the
 * documents are also inserted straight through the driver with ObjectId keys, as an existing
 * database holds them.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { matchesFilter, parseFilter } from '../../src/core/filter.js';
import type { JsonObject } from '../../src/core/json.js';
import type { CollectionSpec } from '../../src/stores/store.js';
import { readAll } from '../support/read-all.js';
import { openTestStore, selectedKinds, type TestStore } from '../support/test-stores.js';

const oids = ['65f0c0ffee0000000000aaaa', '65f0c0ffee0000000000bbbb', '65f0c0ffee0000000000cccc'];
const uuid = '0e9d1f6a-4f6c-4b4a-9b1a-2c3d4e5f6a7b';
const uuidBinary = { $binary: { base64: 'Dp0fak9sS0qbGiw9Tl9qew==', subType: '04' } };

/** FerretDB 1.24 cannot store Decimal128 (the insert is dropped), so decimals are left out there. */
const docs = (keyField: string, decimals = true): JsonObject[] => [
  {
    [keyField]: 'a',
    ref: { $oid: oids[0]! },
    at: { $date: '2026-01-01T00:00:00Z' },
    ...(decimals ? { price: { $numberDecimal: '1.50' } } : {}),
    u: uuidBinary,
  },
  { [keyField]: 'b', ref: { $oid: oids[1]! }, at: { $date: '2026-01-01T00:00:00.500Z' }, n: 7 },
  { [keyField]: 'c', ref: oids[0]!, at: '2026-01-01T00:00:01Z' },
  { [keyField]: 'd', ref: { $oid: oids[2]! }, at: { $date: '2026-03-01T12:00:00Z' } },
];

const filters: unknown[] = [
  { ref: { $oid: oids[0] } },
  { ref: oids[0] },
  { ref: { $in: [{ $oid: oids[1] }, { $oid: oids[2] }, 'zzz'] } },
  { ref: { $in: [{ $oid: oids[0] }, null] } },
  { at: { $gt: { $date: '2026-01-01T00:00:00Z' } } },
  { at: { $gte: { $date: '2026-01-01T00:00:00Z' }, $lt: { $date: '2026-01-01T00:00:01Z' } } },
  { at: { $lte: { $date: '2026-01-01T00:00:00.500Z' } } },
  { at: { $date: '2026-01-01T00:00:00.000Z' } },
  { price: { $numberDecimal: '1.50' } },
  { u: { $uuid: uuid } },
  { u: uuidBinary },
  { n: { $numberLong: '7' } },
];

const keysOf = (found: JsonObject[], keyField: string) => found.map((d) => String(d[keyField])).sort();

for (const kind of selectedKinds()) {
  describe(`typed values in filters on ${kind}`, () => {
    let t: TestStore;
    let spec: CollectionSpec;
    before(async () => {
      t = await openTestStore(kind);
      spec = t.spec('typed');
      await t.store.ensureCollection(spec);
      const results = await t.store
        .collection(spec)
        .write(docs(spec.keyField, kind !== 'mongodb').map((doc) => ({ type: 'insert', doc })));
      assert.ok(results.every((r) => r.status === 'ok'));
    });
    after(async () => t?.cleanup());

    // FerretDB 1.24 has no Decimal128: a query holding one closes the connection.
    for (const filter of filters.filter(
      (f) => kind !== 'mongodb' || !JSON.stringify(f).includes('$numberDecimal'),
    )) {
      test(`${JSON.stringify(filter)} selects what the reference evaluator selects`, async () => {
        const parsed = parseFilter(filter);
        const expected = keysOf(
          docs(spec.keyField, kind !== 'mongodb').filter((d) => matchesFilter(d, parsed)),
          spec.keyField,
        );
        const found = await readAll(t.store.collection(spec), { filter: parsed, limit: 2 });
        assert.deepEqual(keysOf(found, spec.keyField), expected);
        assert.equal(await t.store.collection(spec).count({ filter: parsed }), expected.length);
      });
    }

    test('the evaluator itself finds what the filters are meant to find', () => {
      const m = (f: unknown) =>
        keysOf(
          docs('id').filter((d) => matchesFilter(d, parseFilter(f))),
          'id',
        );
      assert.deepEqual(m({ ref: { $oid: oids[0] } }), ['a']);
      assert.deepEqual(m({ at: { $gt: { $date: '2026-01-01T00:00:00Z' } } }), ['b', 'd']);
      assert.deepEqual(m({ u: { $uuid: uuid } }), ['a']);
    });
  });
}

if (selectedKinds().includes('mongodb')) {
  describe('ObjectId keys inserted through the mongodb driver', () => {
    let t: TestStore;
    let spec: CollectionSpec;
    before(async () => {
      t = await openTestStore('mongodb');
      spec = t.spec('oid_keys');
      const { MongoClient, ObjectId } = await import('mongodb');
      const config = t.config as { uri: string; database: string };
      const client = new MongoClient(config.uri);
      try {
        await client
          .db(config.database)
          .collection(spec.name)
          .insertMany(oids.map((hex, i) => ({ _id: new ObjectId(hex), n: i, hex })));
      } finally {
        await client.close();
      }
    });
    after(async () => t?.cleanup());

    test('a key filter in Extended JSON finds the ObjectId key; the bare hex does not', async () => {
      const c = t.store.collection(spec);
      const byOid = await readAll(c, { filter: parseFilter({ _id: { $oid: oids[1] } }) });
      assert.deepEqual(
        byOid.map((d) => d._id),
        [{ $oid: oids[1] }],
      );
      assert.equal(
        await c.count({ filter: parseFilter({ _id: { $in: [{ $oid: oids[0] }, { $oid: oids[2] }] } }) }),
        2,
      );
      assert.equal(await c.count({ filter: parseFilter({ _id: oids[1] }) }), 0);
      assert.equal(await c.count({ filter: parseFilter({ hex: oids[1] }) }), 1);
    });
  });
}
