import {
  type Condition,
  type FilterValue,
  isTyped,
  type ParsedFilter,
  type RangeBounds,
  rangeKind,
} from '../../core/filter.js';
import type { Scalar } from '../../core/json.js';
import { dateMillis, type TypedValue, typedLeaves } from '../../core/typed-value.js';

/** A SQL fragment with its positional parameters. */
export interface SqlFragment {
  readonly sql: string;
  readonly params: unknown[];
}

/**
 * Compiles a parsed filter to a WHERE fragment over the `doc` JSON column. Values are always
 * bound as parameters. Paths are written into the SQL as string literals (see {@link pathLiteral}),
 * not bound: SQLite uses an expression index (`Collection.createIndex`) only for the very
 * expression it was made on, and `json_extract(doc, ?)` never matches `json_extract(doc, '$."f"')`.
 * Types are checked with json_type so `"1"` never equals `1`, matching `matchesFilter`.
 *
 * Typed values (Extended JSON) are held in SQLite as the objects relaxed Extended JSON writes
 * (`{"$oid": "..."}`, `{"$date": "2026-01-01T00:00:00Z"}`): equality compares the object's text
 * fields, and a `$date` range compares the instant (`julianday`), not the text, so
 * `...:00Z` and `...:00.500Z` order as times do.
 *
 * Conditions on `keyField` (the collection's key) go to the `k` column where they can (see
 * {@link keyConditionToSql}).
 */
export function filterToSql(filter: ParsedFilter, keyField?: string): SqlFragment {
  const parts = filter.map(
    (c) => (c.path === keyField ? keyConditionToSql(c) : undefined) ?? conditionToSql(c),
  );
  if (parts.length === 0) return { sql: '1', params: [] };
  return { sql: parts.map((p) => `(${p.sql})`).join(' AND '), params: parts.flatMap((p) => p.params) };
}

/** A quoted JSON path (`$."a"."b"`) for a dotted field path. */
export function jsonPath(path: string): string {
  return `$${path
    .split('.')
    .map((s) => `."${s.replaceAll('"', '""')}"`)
    .join('')}`;
}

/**
 * The JSON path of a dotted field as a SQL string literal (`'$."a"."b"'`), single quotes doubled,
 * so no field name can end the literal. Indexes are made on the same text (`sqlite-indexes.ts`).
 */
export function pathLiteral(path: string): string {
  return sqlLiteral(jsonPath(path));
}

function sqlLiteral(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

/**
 * A condition on the key field over the `k` column, where it can be: `k` is the key's `keyId`, so
 * a string key is `s:` and the string, and a text key (`json_type` 'text') is exactly a `k` from
 * `'s:'` (included) to `'s;'` (excluded), and comparing `'s:' || a` with `'s:' || b` orders them
 * as `a` with `b`. The primary key answers it without reading `doc`: a key range reads only its
 * rows, where the JSON condition parsed every document of the table (the backups' batch images,
 * issue 17 fifth pass). Undefined for other conditions (numbers, ObjectIds, `$in`, `$exists`): they
 * keep the JSON form.
 */
function keyConditionToSql(c: Condition): SqlFragment | undefined {
  if (c.op === 'eq' && typeof c.value === 'string') return { sql: 'k = ?', params: [`s:${c.value}`] };
  if (c.op !== 'range' || rangeKind(c.bounds) !== 'string') return undefined;
  const sql = [`k >= 's:' AND k < 's;'`];
  const params: unknown[] = [];
  for (const [op, sym] of comparators) {
    const bound = c.bounds[op];
    if (typeof bound !== 'string') continue;
    sql.push(`k ${sym} ?`);
    params.push(`s:${bound}`);
  }
  return { sql: sql.join(' AND '), params };
}

function conditionToSql(c: Condition): SqlFragment {
  const path = jsonPath(c.path);
  switch (c.op) {
    case 'eq':
      return valueEquals(c.path, c.value);
    case 'in':
      return inList(c.path, c.values);
    case 'exists':
      return { sql: `json_type(doc, ${sqlLiteral(path)}) IS ${c.exists ? 'NOT ' : ''}NULL`, params: [] };
    case 'range': {
      const kind = rangeKind(c.bounds);
      if (kind === 'date') return dateRange(c.path, c.bounds);
      const literal = sqlLiteral(path);
      const typeCheck =
        kind === 'number'
          ? `json_type(doc, ${literal}) IN ('integer', 'real')`
          : `json_type(doc, ${literal}) = 'text'`;
      const sql = [typeCheck];
      const params: unknown[] = [];
      for (const [op, sym] of comparators) {
        const bound = c.bounds[op];
        if (bound === undefined || typeof bound === 'object') continue;
        sql.push(`json_extract(doc, ${literal}) ${sym} ?`);
        params.push(bound);
      }
      return { sql: sql.join(' AND '), params };
    }
  }
}

const comparators = [
  ['gt', '>'],
  ['gte', '>='],
  ['lt', '<'],
  ['lte', '<='],
] as const;

/**
 * A `$date` range over the instant a stored `{"$date": ...}` holds, in milliseconds: ISO text
 * through `julianday` (rounded to the millisecond), or the `{"$numberLong": ms}` relaxed Extended
 * JSON uses for dates before 1970 or after 9999.
 */
function dateRange(field: string, bounds: RangeBounds): SqlFragment {
  const text = pathLiteral(`${field}.$date`);
  const long = pathLiteral(`${field}.$date.$numberLong`);
  const millis = `coalesce(CAST(json_extract(doc, ${long}) AS INTEGER), CAST(round((julianday(json_extract(doc, ${text})) - 2440587.5) * 86400000) AS INTEGER))`;
  const sql = [`json_type(doc, ${pathLiteral(field)}) = 'object'`, `${millis} IS NOT NULL`];
  const params: unknown[] = [];
  for (const [op, sym] of comparators) {
    const bound = bounds[op];
    if (typeof bound !== 'object') continue;
    sql.push(`${millis} ${sym} ?`);
    params.push(dateMillis(bound.$date, 'bound'));
  }
  return { sql: sql.join(' AND '), params };
}

/** Equality to a scalar or a typed value (an object holding the same text fields). */
function valueEquals(field: string, value: FilterValue): SqlFragment {
  return isTyped(value) ? typedEquals(field, value) : scalarEquals(jsonPath(field), value);
}

function typedEquals(field: string, value: TypedValue): SqlFragment {
  const sql = [`json_type(doc, ${pathLiteral(field)}) = 'object'`];
  const params: unknown[] = [];
  for (const [sub, leaf] of typedLeaves(value)) {
    const literal = pathLiteral(`${field}.${sub}`);
    sql.push(`json_type(doc, ${literal}) = 'text' AND json_extract(doc, ${literal}) = ?`);
    params.push(leaf);
  }
  return { sql: sql.join(' AND '), params };
}

/**
 * `$in` as one SQL `IN` per JSON type: strings and numbers each become a single type check and
 * one `json_extract(...) IN (...)`, so a long list costs one extraction per row instead of one per
 * value; null and booleans keep their equality. The same semantics as OR-ing {@link scalarEquals}.
 */
function inList(field: string, values: readonly FilterValue[]): SqlFragment {
  if (values.length === 0) return { sql: '0', params: [] };
  const path = jsonPath(field);
  const literal = sqlLiteral(path);
  const parts: SqlFragment[] = [];
  for (const [type, check] of [
    ['string', `json_type(doc, ${literal}) = 'text'`],
    ['number', `json_type(doc, ${literal}) IN ('integer', 'real')`],
  ] as const) {
    const same = values.filter((v) => typeof v === type);
    if (same.length === 0) continue;
    const marks = same.map(() => '?').join(', ');
    parts.push({ sql: `${check} AND json_extract(doc, ${literal}) IN (${marks})`, params: [...same] });
  }
  for (const v of values.filter((x) => typeof x !== 'string' && typeof x !== 'number'))
    parts.push(valueEquals(field, v));
  return { sql: parts.map((p) => `(${p.sql})`).join(' OR '), params: parts.flatMap((p) => p.params) };
}

/** Equality with the filter language's semantics; `undefined` means "field absent". */
export function scalarEquals(jsonPathText: string, value: Scalar | undefined): SqlFragment {
  const path = sqlLiteral(jsonPathText);
  const params = scalarEqualsParams(value);
  if (value === undefined) return { sql: `json_type(doc, ${path}) IS NULL`, params };
  if (value === null) return { sql: `coalesce(json_type(doc, ${path}), 'null') = 'null'`, params };
  if (typeof value === 'boolean') return { sql: `json_type(doc, ${path}) = ?`, params };
  if (typeof value === 'number') {
    return {
      sql: `json_type(doc, ${path}) IN ('integer', 'real') AND json_extract(doc, ${path}) = ?`,
      params,
    };
  }
  return { sql: `json_type(doc, ${path}) = 'text' AND json_extract(doc, ${path}) = ?`, params };
}

/**
 * The parameters {@link scalarEquals} binds for a value. Its SQL depends only on the path and the
 * value's type, so a caller running the same comparison many times can prepare it once per type
 * and bind these.
 */
export function scalarEqualsParams(value: Scalar | undefined): unknown[] {
  const bound = scalarEqualsParam(value);
  return bound === undefined ? [] : [bound];
}

/** The one parameter {@link scalarEqualsParams} binds, or undefined when it binds none. */
export function scalarEqualsParam(value: Scalar | undefined): string | number | undefined {
  if (value === undefined || value === null) return undefined;
  return typeof value === 'boolean' ? String(value) : value;
}

/** The type class {@link scalarEquals}'s SQL depends on. */
export function scalarEqualsKind(value: Scalar | undefined): string {
  return value === null ? 'null' : typeof value;
}
