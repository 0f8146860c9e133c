/** Conformance: scans, segments, filters, counts and sandbox copies behave alike on every store. */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { matchesFilter, parseFilter } from '../../src/core/filter.js';
import { keyFraction } from '../../src/core/hash.js';
import type { JsonObject } from '../../src/core/json.js';
import { isStewardError } from '../../src/errors/steward-error.js';
import {
  type Collection,
  type CollectionSpec,
  docKey,
  keyId,
  type ScanOptions,
} from '../../src/stores/store.js';
import { readAll } from '../support/read-all.js';
import { openTestStore, selectedKinds, type TestStore } from '../support/test-stores.js';

const total = 1200;
const statuses = ['open', 'closed', 'review', null] as const;

/** Deterministic documents with a spread of types, so filters have something to tell apart. */
function makeDocs(spec: CollectionSpec): JsonObject[] {
  return Array.from({ length: total }, (_, i) => {
    const d: JsonObject = { [spec.keyField]: `doc-${String(i).padStart(5, '0')}`, n: i, priority: i % 5 };
    const status = statuses[i % 4];
    if (status) d.status = status;
    if (i % 3 === 0) d.dueAt = `2026-0${(i % 9) + 1}-15`;
    if (i % 7 === 0) d.priority = String(i % 5); // the wrong type on purpose
    if (i % 11 === 0) d.closedAt = null;
    d.owner = { team: i % 2 === 0 ? 'north' : 'south', level: i % 4 };
    return d;
  });
}

/** Small pages (97) by default, so every scan here crosses many page boundaries. */
const scanAll = (c: Collection, options: ScanOptions = {}) =>
  readAll(c, { ...options, limit: options.limit ?? 97 });

const keysOf = (spec: CollectionSpec, docs: JsonObject[]) => docs.map((d) => keyId(docKey(d, spec)!)).sort();

for (const kind of selectedKinds()) {
  describe(`scans on ${kind}`, () => {
    let t: TestStore;
    let spec: CollectionSpec;
    let docs: JsonObject[];
    before(async () => {
      t = await openTestStore(kind);
      spec = t.spec('scans');
      await t.store.ensureCollection(spec);
      docs = makeDocs(spec);
      const c = t.store.collection(spec);
      for (let i = 0; i < docs.length; i += 200) {
        const results = await c.write(
          docs.slice(i, i + 200).map((doc) => ({ type: 'insert' as const, doc })),
        );
        assert.ok(results.every((r) => r.status === 'ok'));
      }
    });
    after(async () => t.cleanup());

    test('a paged scan returns every document exactly once', async () => {
      const seen = await scanAll(t.store.collection(spec));
      assert.equal(seen.length, total);
      assert.deepEqual(keysOf(spec, seen), keysOf(spec, docs));
    });

    test('a scan resumes from a stored token without repeating or losing documents', async () => {
      const c = t.store.collection(spec);
      const first = await c.scan({ limit: 300 });
      const second = await c.scan({ limit: 300, after: first.next });
      const rest = await scanAll(c, { after: second.next });
      const all = [...first.docs, ...second.docs, ...rest];
      assert.equal(new Set(keysOf(spec, all)).size, total);
      assert.equal(all.length, total);
    });

    test('N segments cover the collection exactly once between them', async () => {
      for (const totalSegments of [1, 3, 4]) {
        const seen: JsonObject[] = [];
        for (let index = 0; index < totalSegments; index++) {
          seen.push(
            ...(await scanAll(t.store.collection(spec), { segment: { index, total: totalSegments } })),
          );
        }
        assert.equal(seen.length, total, `${totalSegments} segments`);
        assert.deepEqual(keysOf(spec, seen), keysOf(spec, docs));
      }
    });

    const filters: Record<string, unknown> = {
      equality: { status: 'open' },
      'equality to null matches missing': { status: null },
      'a null value exists': { closedAt: { $exists: true } },
      membership: { priority: { $in: [1, 3] } },
      'membership of strings': { status: { $in: ['open', 'review'] } },
      'membership across types: strings, numbers, null': { priority: { $in: ['0', 2, null] } },
      'number range skips strings': { priority: { $gte: 2, $lt: 4 } },
      'string range': { dueAt: { $gt: '2026-03-01', $lte: '2026-06-30' } },
      exists: { dueAt: { $exists: true } },
      'not exists': { dueAt: { $exists: false } },
      'nested path': { 'owner.team': 'north', 'owner.level': { $in: [0, 3] } },
      conjunction: { $and: [{ status: 'review' }, { n: { $lt: 600 } }, { dueAt: { $exists: true } }] },
      'string equality is typed': { priority: '0' },
    };
    for (const [name, raw] of Object.entries(filters)) {
      test(`filter: ${name} selects what the reference evaluator selects`, async () => {
        const filter = parseFilter(raw);
        const expected = docs.filter((d) => matchesFilter(d, filter));
        assert.ok(expected.length > 0 && expected.length < total, 'the fixture exercises the filter');
        const got = await scanAll(t.store.collection(spec), { filter });
        assert.deepEqual(keysOf(spec, got), keysOf(spec, expected));
        assert.equal(await t.store.collection(spec).count({ filter }), expected.length);
      });
    }

    test('a segment outside 0 <= i < N is refused the same way on every store', async () => {
      for (const segment of [
        { index: 3, total: 3 },
        { index: -1, total: 2 },
        { index: 0, total: 0 },
      ]) {
        await assert.rejects(
          () => t.store.collection(spec).scan({ segment }),
          (e) =>
            isStewardError(e, 'input.invalid') &&
            e.message.includes(`segment ${segment.index} of ${segment.total}`),
        );
      }
    });

    test('segments combine with a filter', async () => {
      const filter = parseFilter({ status: 'closed' });
      const seen: JsonObject[] = [];
      for (let index = 0; index < 3; index++) {
        seen.push(...(await scanAll(t.store.collection(spec), { filter, segment: { index, total: 3 } })));
      }
      assert.deepEqual(
        keysOf(spec, seen),
        keysOf(
          spec,
          docs.filter((d) => matchesFilter(d, filter)),
        ),
      );
    });

    test('counts are exact, and the estimate is a number', async () => {
      const c = t.store.collection(spec);
      assert.equal(await c.count(), total);
      const estimate = await c.count({ estimate: true });
      assert.ok(Number.isInteger(estimate) && estimate >= 0);
    });

    test('a sandbox copy holds the whole collection, or exactly the deterministic sample', async () => {
      const full = t.spec('sandbox_full');
      const copied = await t.store.copyCollection(spec, full);
      assert.equal(copied.copied, total);
      assert.deepEqual(keysOf(full, await scanAll(t.store.collection(full))), keysOf(spec, docs));

      const sample = t.spec('sandbox_sample');
      const result = await t.store.copyCollection(spec, sample, { fraction: 0.2, seed: 'dry-run-1' });
      const expected = docs.filter((d) => keyFraction(keyId(docKey(d, spec)!), 'dry-run-1') < 0.2);
      assert.equal(result.copied, expected.length);
      const got = await scanAll(t.store.collection(sample));
      assert.deepEqual(keysOf(sample, got), keysOf(spec, expected));
      assert.equal(await t.store.collection(spec).count(), total, 'the source is untouched');
      await t.store.dropCollection(sample);
      assert.ok(!(await t.store.listCollections()).some((n) => n.includes(sample.name)));
    });
  });
}
