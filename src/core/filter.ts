import { StewardError } from '../errors/steward-error.js';
import { getPath, isJsonObject, isScalar, type JsonObject, type Scalar } from './json.js';
import {
  dateMillis,
  equalsTyped,
  looksTyped,
  parseTypedValue,
  storedDateMillis,
  type TypedValue,
  typedName,
} from './typed-value.js';

/**
 * The portable filter language: a small subset of MongoDB's query syntax that every store can
 * run natively. A filter is an object of field conditions, all of which must hold:
 *
 *   { status: 'open' }                       equality (null also matches a missing field)
 *   { priority: { $in: [1, 2] } }            membership
 *   { dueAt: { $gte: '2026-01-01', $lt: '2026-02-01' } }   ranges, numbers or strings
 *   { closedAt: { $exists: false } }         presence
 *   { $and: [ {...}, {...} ] }               conjunction
 *   { _id: { $oid: '65f0...' } }             a typed value in Extended JSON (see `typed-value.ts`)
 *
 * Fields are dotted paths into nested objects. Anything else (`$or`, `$regex`, `$where`,
 * `$function`, `$expr`, JavaScript) is rejected by {@link parseFilter} before a store sees it.
 *
 * Limits: `$and` nests at most {@link maxFilterDepth} levels, and a filter holds at most
 * {@link maxFilterConditions} conditions (all levels together). A filter past them is refused,
 * naming the limit, before a store sees it.
 */
export type Filter = { [field: string]: unknown };

/**
 * A value a condition compares: a scalar, or a typed value written in Extended JSON (`$oid`,
 * `$date`, `$numberDecimal`, `$binary` UUID, `$numberLong` past 2^53).
 */
export type FilterValue = Scalar | TypedValue;

/** A `$date` typed value, the one typed value ranges accept. */
export type DateValue = Extract<TypedValue, { $date: unknown }>;

/** One normalised condition. A parsed filter is a list of them, all of which must hold. */
export type Condition =
  | { op: 'eq'; path: string; value: FilterValue }
  | { op: 'in'; path: string; values: FilterValue[] }
  | { op: 'range'; path: string; bounds: RangeBounds }
  | { op: 'exists'; path: string; exists: boolean };

/** Range bounds on one field; all of them are numbers, all strings, or all `$date` values. */
export type RangeBounds = {
  gt?: number | string | DateValue;
  gte?: number | string | DateValue;
  lt?: number | string | DateValue;
  lte?: number | string | DateValue;
};

/** What a range compares: numbers, strings or dates. */
export function rangeKind(bounds: RangeBounds): 'number' | 'string' | 'date' {
  const first = bounds.gt ?? bounds.gte ?? bounds.lt ?? bounds.lte;
  return typeof first === 'object' ? 'date' : typeof first === 'number' ? 'number' : 'string';
}

/** True for a typed (Extended JSON) value rather than a scalar. */
export function isTyped(value: FilterValue): value is TypedValue {
  return typeof value === 'object' && value !== null;
}

/** A filter after validation: a conjunction of conditions. The empty list matches everything. */
export type ParsedFilter = readonly Condition[];

/**
 * Deepest nesting of `$and` a filter may have. A person or a config never needs more; the limit
 * is there so a crafted filter is refused instead of exhausting the stack of whoever parses it.
 */
export const maxFilterDepth = 32;

/**
 * Most conditions one filter may hold. Not 1,000: SQLite refuses expressions nested deeper than
 * 1,000, which 1,000 conditions joined by AND reach. (DynamoDB's own expression limits, 4 KB and
 * 300 operators, are lower still; a filter past them fails with DynamoDB's message.)
 */
export const maxFilterConditions = 500;

const serverCode = new Set(['$where', '$function', '$accumulator', '$expr', '$eval', '$jsonSchema']);
const rangeOps = { $gt: 'gt', $gte: 'gte', $lt: 'lt', $lte: 'lte' } as const;
const allowed = 'equality, $in, $gt, $gte, $lt, $lte, $exists and $and';
const valueKinds =
  'a string, number, boolean, null or Extended JSON value ($oid, $date, $numberDecimal, $uuid)';

/**
 * Validates a filter and normalises it. Throws a `filter.invalid` StewardError naming the path,
 * or the limit a filter goes past ({@link maxFilterDepth}, {@link maxFilterConditions}).
 */
export function parseFilter(filter: unknown, where = 'filter'): ParsedFilter {
  const out: Condition[] = [];
  parseLevel(filter, where, 1, out, where);
  return out;
}

/** Parses one level of `$and` into `out`; `top` names the whole filter in limit messages. */
function parseLevel(filter: unknown, where: string, depth: number, out: Condition[], top: string): void {
  if (filter === undefined || filter === null) return;
  if (!isJsonObject(filter as never)) {
    throw invalid(where, 'must be an object such as {"status": "open"}');
  }
  if (depth > maxFilterDepth) throw tooDeep(top);
  for (const [field, spec] of Object.entries(filter as Filter)) {
    if (field === '$and') {
      if (!Array.isArray(spec)) throw invalid(`${where}.$and`, 'must be an array of filters');
      spec.forEach((sub, i) => {
        parseLevel(sub, `${where}.$and[${i}]`, depth + 1, out, top);
      });
      continue;
    }
    if (field.startsWith('$')) throw rejectOperator(`${where}`, field);
    checkPath(field, where);
    out.push(...parseFieldSpec(field, spec, `${where}.${field}`));
    if (out.length > maxFilterConditions) {
      throw invalid(
        top,
        `holds more than ${maxFilterConditions} conditions, steward's limit for one filter; split the work or use $in`,
      );
    }
  }
}

/** The error for a filter nested past {@link maxFilterDepth} (also when JSON.parse itself gave up). */
export function tooDeep(where: string): StewardError {
  return invalid(where, `is nested too deeply: steward's limit is ${maxFilterDepth} levels of $and`);
}

function parseFieldSpec(path: string, spec: unknown, where: string): Condition[] {
  if (isScalar(spec)) return [{ op: 'eq', path, value: spec }];
  if (looksTyped(spec)) return [{ op: 'eq', path, value: parseTypedValue(spec, where) }];
  if (!isJsonObject(spec as never)) throw invalid(where, 'must be a scalar or an object of operators');
  const entries = Object.entries(spec as Record<string, unknown>);
  if (entries.length === 0) throw invalid(where, 'has no operator');
  const out: Condition[] = [];
  const bounds: RangeBounds = {};
  for (const [op, arg] of entries) {
    if (!op.startsWith('$'))
      throw invalid(where, `compares a whole object ("${op}"); compare dotted fields instead`);
    if (op === '$eq') {
      out.push({ op: 'eq', path, value: filterValue(arg, `${where}.$eq`) });
    } else if (op === '$in') {
      if (!Array.isArray(arg)) throw invalid(`${where}.$in`, `must be an array of values (${valueKinds})`);
      out.push({ op: 'in', path, values: arg.map((v, i) => filterValue(v, `${where}.$in[${i}]`)) });
    } else if (op === '$exists') {
      if (typeof arg !== 'boolean') throw invalid(`${where}.$exists`, 'must be true or false');
      out.push({ op: 'exists', path, exists: arg });
    } else if (op in rangeOps) {
      bounds[rangeOps[op as keyof typeof rangeOps]] = rangeBound(arg, `${where}.${op}`);
    } else {
      throw rejectOperator(where, op);
    }
  }
  const kinds = new Set(Object.values(bounds).map((b) => typeof b));
  if (kinds.size > 1)
    throw invalid(
      where,
      kinds.has('object')
        ? 'mixes $date and other bounds; use one type'
        : 'mixes number and string bounds; use one type',
    );
  if (kinds.size === 1) out.push({ op: 'range', path, bounds });
  return out;
}

/** A value `$eq` or `$in` compares: a scalar or a typed value. */
function filterValue(arg: unknown, where: string): FilterValue {
  if (isScalar(arg)) return arg;
  if (looksTyped(arg)) return parseTypedValue(arg, where);
  throw invalid(where, `must be ${valueKinds}`);
}

/**
 * A range bound: a finite number, a string, or a `$date`. Other typed values have no portable
 * order (SQLite and DynamoDB hold ObjectIds, decimals and UUIDs as text), so they are refused.
 */
function rangeBound(arg: unknown, where: string): number | string | DateValue {
  if (typeof arg === 'string') return arg;
  if (typeof arg === 'number') {
    if (!Number.isFinite(arg)) throw invalid(where, 'must be finite');
    return arg;
  }
  if (looksTyped(arg)) {
    const typed = parseTypedValue(arg, where);
    if (typeof typed === 'number') return typed;
    if ('$date' in typed) return typed;
    throw invalid(
      where,
      `compares ${typedName(typed)} values, which have no order every store agrees on; ranges take numbers, strings or $date`,
    );
  }
  throw invalid(where, 'must be a number, a string or a $date');
}

function checkPath(path: string, where: string): void {
  const steps = path.split('.');
  if (steps.some((s) => s.length === 0 || s.startsWith('$'))) {
    throw invalid(where, `field "${path}" is not a valid dotted path`);
  }
  // `lines[].sku` is how references, contracts and derived state name a field inside array
  // elements; filters never search into arrays, so that path would match nothing, silently.
  const array = steps.find((s) => s.includes('['));
  if (array !== undefined) {
    throw invalid(
      where,
      `field "${path}" reaches into the array "${array}": filters match a document's own fields and do not search into arrays`,
    );
  }
}

function rejectOperator(where: string, op: string): StewardError {
  if (serverCode.has(op)) {
    return invalid(where, `uses ${op}, which runs code on the server and is never allowed; use ${allowed}`);
  }
  return invalid(
    where,
    `uses operator ${op}, which is not in steward's portable filter language; use ${allowed}`,
  );
}

function invalid(where: string, message: string): StewardError {
  return new StewardError('filter.invalid', `${where} ${message}`, { where });
}

/**
 * Evaluates a parsed filter against a document in memory, with the same semantics the adapters
 * give it natively: equality to null also matches a missing field, ranges only match values of the
 * bounds' type, and strings compare by UTF-16 code unit, as JavaScript, SQLite and DynamoDB do for
 * ASCII text.
 */
export function matchesFilter(doc: JsonObject, filter: ParsedFilter): boolean {
  return filter.every((c) => matchesCondition(doc, c));
}

function matchesCondition(doc: JsonObject, c: Condition): boolean {
  const value = getPath(doc, c.path);
  switch (c.op) {
    case 'eq':
      return equalsValue(value, c.value);
    case 'in':
      return c.values.some((v) => equalsValue(value, v));
    case 'exists':
      return (value !== undefined) === c.exists;
    case 'range':
      return inRange(value, c.bounds);
  }
}

function equalsValue(value: JsonObject[string] | undefined, wanted: FilterValue): boolean {
  if (wanted === null) return value === null || value === undefined;
  return isTyped(wanted) ? equalsTyped(value, wanted) : value === wanted;
}

/** Dates compare by their instant, whatever text (with or without milliseconds) holds them. */
function inRange(value: JsonObject[string] | undefined, b: RangeBounds): boolean {
  const kind = rangeKind(b);
  const v =
    kind === 'date'
      ? storedDateMillis(value)
      : typeof value === kind
        ? (value as number | string)
        : undefined;
  if (v === undefined) return false;
  const at = (bound: RangeBounds[keyof RangeBounds]) =>
    typeof bound === 'object' ? dateMillis(bound.$date, 'bound') : (bound as number | string);
  return (
    (b.gt === undefined || v > at(b.gt)) &&
    (b.gte === undefined || v >= at(b.gte)) &&
    (b.lt === undefined || v < at(b.lt)) &&
    (b.lte === undefined || v <= at(b.lte))
  );
}
