import { expectationHolds } from '../../core/expectation.js';
import type { DocKey, Expectation, WriteResult } from '../store.js';
import { isConditionFailed } from './dynamodb-errors.js';
import { allOf, type ExpressionBuilder } from './expression-builder.js';
import { nullOrMissing } from './filter-to-dynamo.js';
import type { ItemMapper } from './item-mapping.js';
import type { Item } from './json-values.js';
import { mappingAttributes } from './table-mapping.js';

/**
 * The conditions conditional writes carry, and how a failed condition is read back. Every
 * conditional write asks for ReturnValuesOnConditionCheckFailure ALL_OLD, so one round trip
 * tells "no such document" (nothing returned, or an item of another entity) from "the
 * expectation did not hold" (our item returned).
 */

/** `attribute_exists` or `attribute_not_exists` on the partition key: does the item exist? */
export function itemExists(mapper: ItemMapper, b: ExpressionBuilder, exists: boolean): string {
  const pk = b.name(mapper.mapping.partitionKey);
  return exists ? `attribute_exists(${pk})` : `attribute_not_exists(${pk})`;
}

/** The discriminator check of a single-table entity, so it never touches another entity's item. */
export function ownedBy(mapper: ItemMapper, b: ExpressionBuilder): string | undefined {
  const d = mapper.mapping.discriminator;
  return d ? `${b.name(d.name)} = ${b.value(d.value)}` : undefined;
}

/**
 * An expectation as a condition: `value` undefined means absent, null means null or absent,
 * anything else equality. Fields stored apart from the document (the key field when it lives
 * prefixed in the partition key, mapping attributes) are decided here, from what the key says;
 * a false one becomes a contradiction, so DynamoDB still reports missing versus conflict.
 */
export function expectationCondition(
  mapper: ItemMapper,
  key: DocKey,
  expect: Expectation | undefined,
  b: ExpressionBuilder,
): string | undefined {
  if (!expect) return undefined;
  const { keyField } = mapper.mapping;
  const top = expect.field.split('.')[0] ?? expect.field;
  if (storedApart(mapper, expect.field)) {
    const known = top === keyField ? { [keyField]: key } : {};
    return expectationHolds(known, expect) ? undefined : itemExists(mapper, b, false);
  }
  const path = b.path(expect.field);
  if (expect.value === undefined) return `attribute_not_exists(${path})`;
  if (expect.value === null) return nullOrMissing(path, b);
  return `${path} = ${b.value(expect.value)}`;
}

/**
 * True when an expectation on `field` is decided from the key rather than by a condition: the
 * key field when it is the partition key itself, or a field named like a mapping attribute.
 */
export function storedApart(mapper: ItemMapper, field: string): boolean {
  const { keyField, partitionKey } = mapper.mapping;
  const top = field.split('.')[0] ?? field;
  return (top === keyField && partitionKey === keyField) || mappingAttributes(mapper.mapping).includes(top);
}

/**
 * Reads a ConditionalCheckFailed error: `missing` when no item or another entity's item was
 * there, `conflict` when ours was there and so the expectation failed. Other errors: undefined.
 */
export function conditionOutcome(mapper: ItemMapper, error: unknown): WriteResult | undefined {
  if (!isConditionFailed(error)) return undefined;
  const old = (error as { Item?: Item }).Item;
  if (!old || !mapper.owns(old)) return { status: 'missing' };
  return { status: 'conflict' };
}

/**
 * The condition of a write to one existing document of this collection: it exists, belongs to
 * this entity, meets the caller's expectation, and any `extra` conditions hold.
 */
export function existingItemCondition(
  mapper: ItemMapper,
  b: ExpressionBuilder,
  key: DocKey,
  expect: Expectation | undefined,
  extra: readonly string[] = [],
): string | undefined {
  return allOf([
    itemExists(mapper, b, true),
    ownedBy(mapper, b),
    expectationCondition(mapper, key, expect, b),
    ...extra,
  ]);
}

/** SET and REMOVE clauses as one UpdateExpression; empty when there is nothing to change. */
export function updateExpression(sets: readonly string[], removes: readonly string[]): string {
  return [sets.length ? `SET ${sets.join(', ')}` : '', removes.length ? `REMOVE ${removes.join(', ')}` : '']
    .filter(Boolean)
    .join(' ');
}
