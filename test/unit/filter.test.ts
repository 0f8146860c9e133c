import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { matchesFilter, maxFilterConditions, maxFilterDepth, parseFilter } from '../../src/core/filter.js';
import { isStewardError } from '../../src/errors/steward-error.js';

describe('the portable filter language', () => {
  test('normalises equality, membership, ranges, presence and conjunctions', () => {
    const parsed = parseFilter({
      status: 'open',
      priority: { $in: [1, 2] },
      dueAt: { $gte: '2026-01-01', $lt: '2026-02-01' },
      $and: [{ 'owner.team': { $eq: 'north' } }, { closedAt: { $exists: false } }],
    });
    assert.deepEqual(parsed, [
      { op: 'eq', path: 'status', value: 'open' },
      { op: 'in', path: 'priority', values: [1, 2] },
      { op: 'range', path: 'dueAt', bounds: { gte: '2026-01-01', lt: '2026-02-01' } },
      { op: 'eq', path: 'owner.team', value: 'north' },
      { op: 'exists', path: 'closedAt', exists: false },
    ]);
  });

  for (const [name, filter, fragment] of [
    ['$where', { $where: 'this.a > 1' }, 'runs code on the server'],
    ['$function', { a: { $function: { body: 'x' } } }, 'runs code on the server'],
    ['$expr', { $and: [{ $expr: { $gt: ['$a', 1] } }] }, 'filter.$and[0] uses $expr, which runs code'],
    ['$regex', { name: { $regex: '^a' } }, 'filter.name uses operator $regex, which is not in'],
    ['$or', { $or: [{ a: 1 }] }, 'operator $or, which is not in'],
    ['$ne', { a: { $ne: 1 } }, 'operator $ne'],
    ['object equality', { a: { b: 1 } }, 'compares a whole object'],
    ['mixed bounds', { a: { $gt: 1, $lt: 'z' } }, 'mixes number and string bounds'],
    ['non-array $in', { a: { $in: 'x' } }, 'filter.a.$in must be an array'],
    ['non-array $and', { $and: { a: 1 } }, 'filter.$and must be an array'],
    ['bad path', { 'a..b': 1 }, 'not a valid dotted path'],
    [
      'a path into array elements',
      { 'lines[].sku': 'SKU-03' },
      'field "lines[].sku" reaches into the array "lines[]": filters match a document\'s own fields and do not search into arrays',
    ],
    ['a position in an array', { 'lines[0].sku': 'SKU-03' }, 'reaches into the array "lines[0]"'],
    ['not an object', 'status=open', 'must be an object'],
  ] as const) {
    test(`rejects ${name} with a message naming where`, () => {
      assert.throws(
        () => parseFilter(filter),
        (e) => isStewardError(e, 'filter.invalid') && e.message.includes(fragment),
      );
    });
  }

  test(`nesting $and ${maxFilterDepth} levels deep is fine, deeper is refused naming the limit`, () => {
    const nested = (levels: number): unknown => {
      let filter: unknown = { a: 1 };
      for (let i = 1; i < levels; i++) filter = { $and: [filter] };
      return filter;
    };
    assert.deepEqual(parseFilter(nested(maxFilterDepth)), [{ op: 'eq', path: 'a', value: 1 }]);
    for (const levels of [maxFilterDepth + 1, 100_000]) {
      assert.throws(
        () => parseFilter(nested(levels), '--where'),
        (e) =>
          isStewardError(e, 'filter.invalid') &&
          e.message === `--where is nested too deeply: steward's limit is ${maxFilterDepth} levels of $and`,
      );
    }
  });

  test(`${maxFilterConditions} conditions are fine, more are refused naming the limit`, () => {
    const fields = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`f${i}`, i]));
    assert.equal(parseFilter(fields(maxFilterConditions)).length, maxFilterConditions);
    const spread = { $and: Array.from({ length: 10 }, (_, i) => fields(maxFilterConditions / 10 + i)) };
    for (const filter of [fields(maxFilterConditions + 1), fields(100_000), spread]) {
      assert.throws(
        () => parseFilter(filter, '--where'),
        (e) =>
          isStewardError(e, 'filter.invalid') &&
          e.message.startsWith(`--where holds more than ${maxFilterConditions} conditions, steward's limit`),
      );
    }
  });

  test('the reference evaluator follows the documented semantics', () => {
    const doc = { a: 1, s: '1', n: null, nested: { x: 'y' } };
    const m = (f: unknown) => matchesFilter(doc, parseFilter(f));
    assert.equal(m({ a: 1 }), true);
    assert.equal(m({ a: '1' }), false, 'equality is typed');
    assert.equal(m({ missing: null }), true, 'null matches a missing field');
    assert.equal(m({ n: null }), true);
    assert.equal(m({ n: { $exists: true } }), true, 'a null value exists');
    assert.equal(m({ s: { $gte: 0 } }), false, 'a number range skips strings');
    assert.equal(m({ s: { $gte: '0' } }), true);
    assert.equal(m({ 'nested.x': { $in: ['y', 'z'] } }), true);
    assert.equal(m({ 'a.b': { $exists: false } }), true);
  });
});
