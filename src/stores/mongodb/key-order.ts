import type { Document } from 'mongodb';

/**
 * Range conditions on a key that follow MongoDB's sort order across types.
 *
 * A plain `{_id: {$gt: 5}}` only matches numbers (type bracketing), so resuming a scan after the
 * last number would skip every string and ObjectId key that sorts after it. These helpers add the
 * later (or earlier) type brackets with `$type`, so the conditions agree with `sort({_id: 1})`.
 * Arrays, MinKey and MaxKey are left out: they cannot be `_id` values, and FerretDB 1.24 does not
 * know the `minKey`/`maxKey`/`symbol`/`decimal` type aliases.
 */
const typeOrder = [
  'null',
  'number',
  'string',
  'object',
  'binData',
  'objectId',
  'bool',
  'date',
  'timestamp',
  'regex',
];

/** The key is after `value` (or equal to it, when `inclusive`) in ascending key order. */
export function keyAfter(field: string, value: unknown, inclusive: boolean): Document {
  const same = { [field]: { [inclusive ? '$gte' : '$gt']: value } };
  const later = typeOrder.slice(bracketOf(value) + 1);
  return later.length === 0 ? same : { $or: [same, { [field]: { $type: later } }] };
}

/** The key is strictly before `value` in ascending key order. */
export function keyBefore(field: string, value: unknown): Document {
  const same = { [field]: { $lt: value } };
  const earlier = typeOrder.slice(0, bracketOf(value));
  return earlier.length === 0 ? same : { $or: [same, { [field]: { $type: earlier } }] };
}

const bsonTypeBrackets: Record<string, string> = {
  Int32: 'number',
  Double: 'number',
  Long: 'number',
  Decimal128: 'number',
  ObjectId: 'objectId',
  Binary: 'binData',
  Timestamp: 'timestamp',
  BSONRegExp: 'regex',
};

function bracketOf(value: unknown): number {
  return typeOrder.indexOf(typeNameOf(value));
}

function typeNameOf(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'number' || typeof value === 'bigint') return 'number';
  if (typeof value === 'string') return 'string';
  if (typeof value === 'boolean') return 'bool';
  if (value instanceof Date) return 'date';
  if (value instanceof RegExp) return 'regex';
  const bsonType = (value as { _bsontype?: string })._bsontype;
  return (bsonType && bsonTypeBrackets[bsonType]) || 'object';
}
