/**
 * Conformance: a scan with `sample` returns exactly the documents apply's `inCanary` selects
 * (inside), or exactly the others (outside), alike on every store, keyless documents counted
 * inside, with the full scan's tokens as positions. Every expectation comes from the full scan
 * and `inCanary` itself, so a store that ignored `sample` (or hashed keys otherwise) fails.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { parseFilter } from '../../src/core/filter.js';
import type { JsonObject } from '../../src/core/json.js';
import { inCanary } from '../../src/migrations/apply/canary.js';
import { scanPages } from '../../src/stores/scan-pages.js';
import {
  type Collection,
  type CollectionSpec,
  type DocKey,
  docKey,
  type KeySample,
  keyId,
  type ScanOptions,
} from '../../src/stores/store.js';
import { openTestStore, selectedKinds, type TestStore } from '../support/test-stores.js';

const limit = 37;
const seed = 'a-plan-hash-0123456789abcdef';

async function scanAll(c: Collection, options: ScanOptions): Promise<JsonObject[]> {
  const out: JsonObject[] = [];
  for await (const page of scanPages(c, { limit, ...options })) out.push(...page.docs);
  return out;
}

/** What the canary pass selects: canary keys, and keyless documents. */
function canarySelects(doc: JsonObject, spec: CollectionSpec, percent: number): boolean {
  const key = docKey(doc, spec);
  return key === undefined || inCanary(key, seed, percent);
}

const ids = (spec: CollectionSpec, docs: readonly JsonObject[]) =>
  docs.map((d) => {
    const key = docKey(d, spec);
    return key === undefined ? `keyless:${JSON.stringify(d)}` : keyId(key);
  });

/**
 * Inside and outside samples at several percentages against the full scan filtered by
 * `inCanary`: the same documents, whole, in the same order. Returns the full scan.
 */
async function assertSampleMatches(c: Collection, options: ScanOptions = {}): Promise<JsonObject[]> {
  const full = await scanAll(c, options);
  for (const percent of [0, 5, 37.5, 100]) {
    for (const inside of [true, false]) {
      const sample: KeySample = { seed, percent, inside };
      const got = await scanAll(c, { ...options, sample });
      const want = full.filter((d) => canarySelects(d, c.spec, percent) === inside);
      assert.deepEqual(got, want, `percent ${percent}, ${inside ? 'inside' : 'outside'}`);
    }
  }
  const five = full.filter((d) => canarySelects(d, c.spec, 5));
  assert.ok(five.length > 0 && five.length < full.length, 'a 5% sample holds some, not all');
  return full;
}

async function fill(c: Collection, keys: readonly DocKey[]): Promise<void> {
  const docs = keys.map((key, i) => ({ [c.spec.keyField]: key, n: i, group: i % 4 }));
  for (let i = 0; i < docs.length; i += 100) {
    const results = await c.write(docs.slice(i, i + 100).map((doc) => ({ type: 'insert' as const, doc })));
    assert.ok(results.every((r) => r.status === 'ok'));
  }
}

const stringKeys = Array.from({ length: 400 }, (_, i) => `k${String(i).padStart(4, '0')}`);
const oid = (i: number) => ({ $oid: i.toString(16).padStart(24, '0') });

for (const kind of selectedKinds()) {
  describe(`sample scans on ${kind}`, () => {
    let t: TestStore;
    let spec: CollectionSpec;
    before(async () => {
      t = await openTestStore(kind);
      spec = t.spec('sample');
      await t.store.ensureCollection(spec);
      await fill(t.store.collection(spec), stringKeys);
    });
    after(async () => t.cleanup());

    test('string keys: exactly the documents inCanary selects, and exactly the others', async () => {
      const docs = await assertSampleMatches(t.store.collection(spec));
      assert.equal(docs.length, stringKeys.length);
    });

    test('with a filter, keys-only and a resume token: the same selection', async () => {
      const c = t.store.collection(spec);
      await assertSampleMatches(c, { filter: parseFilter({ group: { $in: [0, 3] } }) });
      const keys = await scanAll(c, { keysOnly: true, sample: { seed, percent: 30, inside: true } });
      const full = await scanAll(c, { sample: { seed, percent: 30, inside: true } });
      assert.deepEqual(ids(spec, keys), ids(spec, full));
      // A token of the full scan is a position in the sample's scan too.
      const first = await c.scan({ limit: 100 });
      assert.ok(first.next);
      const rest = await scanAll(c, { after: first.next, sample: { seed, percent: 30, inside: false } });
      const restFull = await scanAll(c, { after: first.next });
      assert.deepEqual(
        rest,
        restFull.filter((d) => !canarySelects(d, spec, 30)),
      );
    });

    test('a bad percentage is refused', async () => {
      await assert.rejects(
        t.store.collection(spec).scan({ sample: { seed, percent: Number.NaN, inside: true } }),
        (e: Error & { code?: string }) => e.code === 'input.invalid',
      );
    });

    if (kind !== 'dynamodb') {
      test('number keys and ObjectId keys', async () => {
        const numbers = t.spec('sample_numbers');
        await t.store.ensureCollection(numbers);
        await fill(t.store.collection(numbers), [
          ...Array.from({ length: 300 }, (_, i) => i * 3 - 100),
          2.5,
          -0.125,
          1e21,
          ...['1', '2', 'n:3'],
        ]);
        await assertSampleMatches(t.store.collection(numbers));
        const oids = t.spec('sample_oids');
        await t.store.ensureCollection(oids);
        await fill(
          t.store.collection(oids),
          Array.from({ length: 300 }, (_, i) => oid(i * 7919 + 1)),
        );
        await assertSampleMatches(t.store.collection(oids));
      });
    } else {
      test('number keys, in a shared table under a key prefix', async () => {
        const table = t.spec('sample_shared');
        const numbers: CollectionSpec = {
          name: `${table.name}_a`,
          keyField: 'id',
          dynamodb: {
            table: table.name,
            partitionKey: 'PK',
            keyPrefix: 'A#',
            discriminator: { name: 'kind', value: 'a' },
          },
        };
        await t.store.ensureCollection(numbers);
        await fill(
          t.store.collection(numbers),
          Array.from({ length: 300 }, (_, i) => i * 3 - 100),
        );
        await assertSampleMatches(t.store.collection(numbers));
      });
    }

    if (kind === 'mongodb') {
      test('keyless documents (a key field other than _id) are inside every sample, never outside', async () => {
        const s = { ...t.spec('sample_keyless'), keyField: 'id' };
        await t.store.ensureCollection(s);
        await fill(t.store.collection(s), stringKeys.slice(0, 200));
        const { MongoClient } = await import('mongodb');
        const config = t.config as { uri: string; database: string };
        const raw = new MongoClient(config.uri);
        try {
          await raw
            .db(config.database)
            .collection(s.name)
            .insertMany(Array.from({ length: 5 }, (_, i) => ({ _id: `nokey${i}` as never, n: i })));
        } finally {
          await raw.close();
        }
        const docs = await assertSampleMatches(t.store.collection(s));
        assert.equal(docs.filter((d) => d.id === undefined).length, 5, 'five keyless documents');
        const none = await scanAll(t.store.collection(s), { sample: { seed, percent: 0, inside: true } });
        assert.equal(none.length, 5, 'at 0% only the keyless documents are inside');
      });
    }
  });
}
