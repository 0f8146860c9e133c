/**
 * Conformance: a filter at the filter language's limits (core/filter.ts) runs on SQLite and
 * MongoDB; on DynamoDB, whose own expression limits are lower, it fails with a StewardError
 * naming the table (as documented), never a crash.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { maxFilterConditions, maxFilterDepth, parseFilter } from '../../src/core/filter.js';
import { isStewardError } from '../../src/errors/steward-error.js';
import type { Collection } from '../../src/stores/store.js';
import { openTestStore, selectedKinds, type TestStore } from '../support/test-stores.js';

/** A value of field number `i` that meets its condition in {@link filterAtTheLimits}. */
const meeting = (i: number) => (i % 3 === 0 ? 5 : i % 3 === 1 ? 'x' : 1);

/** The largest filter allowed: its conditions spread over the deepest nesting of `$and`. */
function filterAtTheLimits(): unknown {
  const perLevel = Math.floor(maxFilterConditions / maxFilterDepth);
  let rest = maxFilterConditions;
  let filter: Record<string, unknown> = {};
  for (let level = maxFilterDepth; level >= 1; level--) {
    const n = level === 1 ? rest : perLevel;
    rest -= n;
    const conditions = Array.from({ length: n }, (_, i) => {
      const field = `f${level}_${i}`;
      return [field, i % 3 === 0 ? { $gte: 0, $lt: 10 } : i % 3 === 1 ? { $in: [1, 'x', null] } : 1];
    });
    filter = { ...Object.fromEntries(conditions), ...(level < maxFilterDepth ? { $and: [filter] } : {}) };
  }
  return filter;
}

for (const kind of selectedKinds()) {
  describe(`a filter at the limits on ${kind}`, () => {
    let t: TestStore;
    let c: Collection;
    before(async () => {
      t = await openTestStore(kind);
      const spec = t.spec('limits');
      await t.store.ensureCollection(spec);
      c = t.store.collection(spec);
      const meets = Object.fromEntries(
        parseFilter(filterAtTheLimits()).map((cond) => [cond.path, meeting(Number(cond.path.split('_')[1]))]),
      );
      await c.write([
        { type: 'insert', doc: { [spec.keyField]: 'meets', ...meets } },
        { type: 'insert', doc: { [spec.keyField]: 'misses', ...meets, f1_0: 11 } },
      ]);
    });
    after(async () => t.cleanup());

    test(`${maxFilterConditions} conditions over ${maxFilterDepth} levels of $and`, async () => {
      const filter = parseFilter(filterAtTheLimits());
      assert.equal(filter.length, maxFilterConditions);
      const scan = c.scan({ filter, limit: 10 });
      if (kind === 'dynamodb') {
        await assert.rejects(scan, (e) => isStewardError(e) && /FilterExpression/.test(e.message));
      } else {
        assert.deepEqual(
          (await scan).docs.map((d) => d[c.spec.keyField]),
          ['meets'],
        );
      }
    });
  });
}
