import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { matchesFilter, parseFilter } from '../../src/core/filter.js';
import { isStewardError } from '../../src/errors/steward-error.js';

const oid = '65f0c0ffee0000000000abcd';

describe('Extended JSON values in the filter language', () => {
  test('typed literals are accepted and normalised to the form documents hold', () => {
    assert.deepEqual(
      parseFilter({
        _id: { $oid: oid.toUpperCase() },
        at: { $gte: { $date: '2026-01-01T00:00:00.000Z' }, $lt: { $date: { $numberLong: '1767225600500' } } },
        n: { $numberLong: '42' },
        big: { $numberLong: '9007199254740993' },
        price: { $in: [{ $numberDecimal: '1.50' }, null] },
        u: { $eq: { $uuid: '0e9d1f6a-4f6c-4b4a-9b1a-2c3d4e5f6a7b' } },
      }),
      [
        { op: 'eq', path: '_id', value: { $oid: oid } },
        {
          op: 'range',
          path: 'at',
          bounds: { gte: { $date: '2026-01-01T00:00:00Z' }, lt: { $date: '2026-01-01T00:00:00.500Z' } },
        },
        { op: 'eq', path: 'n', value: 42 },
        { op: 'eq', path: 'big', value: { $numberLong: '9007199254740993' } },
        { op: 'in', path: 'price', values: [{ $numberDecimal: '1.50' }, null] },
        { op: 'eq', path: 'u', value: { $binary: { base64: 'Dp0fak9sS0qbGiw9Tl9qew==', subType: '04' } } },
      ],
    );
  });

  for (const [name, filter, fragment] of [
    ['a short $oid', { _id: { $oid: 'abc' } }, 'filter._id: $oid must be 24 hexadecimal digits'],
    ['a bad $date', { at: { $gt: { $date: 'yesterday' } } }, 'filter.at.$gt: $date must be an ISO 8601'],
    [
      'a range over ObjectIds',
      { _id: { $gt: { $oid: oid } } },
      'compares ObjectId values, which have no order',
    ],
    ['a non-UUID $binary', { b: { $binary: { base64: 'AA==', subType: '00' } } }, 'is not a UUID'],
    ['mixed date and string bounds', { at: { $gt: { $date: '2026-01-01T00:00:00Z' }, $lt: 'z' } }, 'mixes'],
  ] as const) {
    test(`refuses ${name}, naming where`, () => {
      assert.throws(
        () => parseFilter(filter),
        (e) => isStewardError(e, 'filter.invalid') && e.message.includes(fragment),
      );
    });
  }

  test('the reference evaluator compares typed values by type, and dates by instant', () => {
    const doc = {
      _id: { $oid: oid },
      hex: oid,
      at: { $date: '2026-01-01T00:00:00.500Z' },
      price: { $numberDecimal: '1.50' },
    };
    const m = (f: unknown) => matchesFilter(doc, parseFilter(f));
    assert.equal(m({ _id: { $oid: oid } }), true);
    assert.equal(m({ _id: oid }), false, 'a hex string is not an ObjectId');
    assert.equal(m({ hex: { $oid: oid } }), false, 'an ObjectId is not a hex string');
    assert.equal(m({ _id: { $in: ['x', { $oid: oid }] } }), true);
    assert.equal(m({ at: { $gt: { $date: '2026-01-01T00:00:00Z' } } }), true, '.500Z is after :00Z');
    assert.equal(m({ at: { $lt: { $date: '2026-01-01T00:00:01Z' } } }), true);
    assert.equal(m({ at: { $gt: '2025' } }), false, 'a string bound never matches a date');
    assert.equal(m({ price: { $numberDecimal: '1.50' } }), true);
  });
});
