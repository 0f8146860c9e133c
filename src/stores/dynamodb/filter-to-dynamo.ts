import {
  type Condition,
  type FilterValue,
  isTyped,
  type ParsedFilter,
  type RangeBounds,
  rangeKind,
} from '../../core/filter.js';
import { typedLeaves } from '../../core/typed-value.js';
import { allOf, type ExpressionBuilder } from './expression-builder.js';

/**
 * Translates steward's portable filter into a DynamoDB FilterExpression with the semantics of
 * `matchesFilter`: equality to null also matches a missing attribute, ranges only match values
 * of the bounds' type (DynamoDB never compares a number with a string), dotted paths reach into
 * maps but not lists. Returns undefined for the empty filter.
 *
 * Typed values (Extended JSON) are held in DynamoDB as the maps relaxed Extended JSON writes
 * (`{"$oid": "..."}` is a map with one string attribute `$oid`): equality compares those string
 * attributes. A `$date` range is checked on the document after reading (see {@link splitFilter}):
 * DynamoDB compares strings, and `...:00.500Z` sorts before `...:00Z` as text.
 *
 * Note that DynamoDB applies a FilterExpression after reading: a filtered scan costs as much
 * read capacity as an unfiltered one, and a page may come back empty with more to read.
 */
export function filterToDynamo(filter: ParsedFilter, b: ExpressionBuilder): string | undefined {
  return allOf(filter.map((c) => condition(c, b)));
}

/**
 * Splits a filter into what DynamoDB can evaluate and what must be checked on the document after
 * reading: conditions on fields stored differently from the document, such as a key field kept
 * with its prefix in the partition key, or a field named like a mapping attribute.
 */
export function splitFilter(
  filter: ParsedFilter,
  onDocument: (field: string) => boolean,
): { server: ParsedFilter; client: ParsedFilter } {
  const client = filter.filter(
    (c) => onDocument(c.path.split('.')[0] ?? c.path) || (c.op === 'range' && rangeKind(c.bounds) === 'date'),
  );
  return { server: filter.filter((c) => !client.includes(c)), client };
}

function condition(c: Condition, b: ExpressionBuilder): string {
  const path = b.path(c.path);
  switch (c.op) {
    case 'eq':
      return c.value === null ? nullOrMissing(path, b) : equals(c.path, c.value, b);
    case 'in':
      return membership(c.path, c.values, b);
    case 'exists':
      return c.exists ? `attribute_exists(${path})` : `attribute_not_exists(${path})`;
    case 'range':
      return range(path, c.bounds, b);
  }
}

/** Equality to null: a NULL attribute or none at all. */
export function nullOrMissing(path: string, b: ExpressionBuilder): string {
  return `attribute_not_exists(${path}) OR attribute_type(${path}, ${b.value('NULL')})`;
}

/** Equality to a scalar, or to a typed value: a map holding the same string attributes. */
function equals(field: string, value: Exclude<FilterValue, null>, b: ExpressionBuilder): string {
  if (!isTyped(value)) return `${b.path(field)} = ${b.value(value)}`;
  return typedLeaves(value)
    .map(([sub, leaf]) => `${b.path(`${field}.${sub}`)} = ${b.value(leaf)}`)
    .join(' AND ');
}

/** IN takes at most 100 operands, so longer lists become several INs joined by OR (AND binds tighter). */
function membership(field: string, values: readonly FilterValue[], b: ExpressionBuilder): string {
  const path = b.path(field);
  const typed = values.filter((v) => v !== null && isTyped(v));
  const present = values.filter((v) => v !== null && !isTyped(v));
  // No parentheses: AND binds tighter than OR, and DynamoDB refuses redundant ones.
  const parts: string[] = typed.map((v) => equals(field, v as Exclude<FilterValue, null>, b));
  for (let i = 0; i < present.length; i += 100) {
    parts.push(
      `${path} IN (${present
        .slice(i, i + 100)
        .map((v) => b.value(v))
        .join(', ')})`,
    );
  }
  if (values.includes(null)) parts.push(nullOrMissing(path, b));
  // An empty $in matches nothing; DynamoDB has no FALSE literal, so contradict.
  if (parts.length === 0) return `attribute_exists(${path}) AND attribute_not_exists(${path})`;
  return parts.join(' OR ');
}

const comparators = { gt: '>', gte: '>=', lt: '<', lte: '<=' } as const;

function range(path: string, bounds: RangeBounds, b: ExpressionBuilder): string {
  const parts: string[] = [];
  for (const [bound, operator] of Object.entries(comparators)) {
    const value = bounds[bound as keyof RangeBounds];
    if (value !== undefined && typeof value !== 'object') parts.push(`${path} ${operator} ${b.value(value)}`);
  }
  return parts.join(' AND ');
}
