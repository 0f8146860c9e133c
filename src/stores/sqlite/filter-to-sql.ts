import type { Condition, ParsedFilter } from '../../core/filter.js';
import type { Scalar } from '../../core/json.js';

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
 */
export function filterToSql(filter: ParsedFilter): SqlFragment {
  const parts = filter.map(conditionToSql);
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

function conditionToSql(c: Condition): SqlFragment {
  const path = jsonPath(c.path);
  switch (c.op) {
    case 'eq':
      return scalarEquals(path, c.value);
    case 'in':
      return inList(path, c.values);
    case 'exists':
      return { sql: `json_type(doc, ${sqlLiteral(path)}) IS ${c.exists ? 'NOT ' : ''}NULL`, params: [] };
    case 'range': {
      const literal = sqlLiteral(path);
      const isNumber = typeof (c.bounds.gt ?? c.bounds.gte ?? c.bounds.lt ?? c.bounds.lte) === 'number';
      const typeCheck = isNumber
        ? `json_type(doc, ${literal}) IN ('integer', 'real')`
        : `json_type(doc, ${literal}) = 'text'`;
      const sql = [typeCheck];
      const params: unknown[] = [];
      for (const [op, sym] of [
        ['gt', '>'],
        ['gte', '>='],
        ['lt', '<'],
        ['lte', '<='],
      ] as const) {
        const bound = c.bounds[op];
        if (bound === undefined) continue;
        sql.push(`json_extract(doc, ${literal}) ${sym} ?`);
        params.push(bound);
      }
      return { sql: sql.join(' AND '), params };
    }
  }
}

/**
 * `$in` as one SQL `IN` per JSON type: strings and numbers each become a single type check and
 * one `json_extract(...) IN (...)`, so a long list costs one extraction per row instead of one per
 * value; null and booleans keep their equality. The same semantics as OR-ing {@link scalarEquals}.
 */
function inList(path: string, values: readonly Scalar[]): SqlFragment {
  if (values.length === 0) return { sql: '0', params: [] };
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
    parts.push(scalarEquals(path, v));
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
  if (value === undefined || value === null) return [];
  return [typeof value === 'boolean' ? String(value) : value];
}

/** The type class {@link scalarEquals}'s SQL depends on. */
export function scalarEqualsKind(value: Scalar | undefined): string {
  return value === null ? 'null' : typeof value;
}
