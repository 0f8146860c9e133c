import { StewardError } from '../../errors/steward-error.js';
import type { CollectionSpec, IndexDefinition } from '../store.js';
import { pathLiteral } from './filter-to-sql.js';

const indexNamePattern = /^[A-Za-z_][A-Za-z0-9_.-]{0,127}$/;

/**
 * SQLite index names are global to the database file, not per table, so steward's index `name`
 * on a collection is stored as `<collection>:<name>`: two collections may each have a `by_status`.
 */
export function storedIndexName(spec: CollectionSpec, name: string): string {
  if (!indexNamePattern.test(name)) {
    throw new StewardError(
      'input.invalid',
      `index name "${name}" (collection "${spec.name}") is not valid: use letters, digits, "_", "-" and "." (at most 128)`,
      { collection: spec.name, index: name },
    );
  }
  return `${spec.name}:${name}`;
}

/** steward's name of a stored index: the collection prefix removed when it has one. */
export function indexNameOf(spec: CollectionSpec, stored: string): string {
  const prefix = `${spec.name}:`;
  return stored.startsWith(prefix) ? stored.slice(prefix.length) : stored;
}

/**
 * The CREATE INDEX statement: one `json_extract(doc, '$."a"."b"')` per field, the very text
 * `filterToSql` writes for a filter on that field, so the planner can use the index for it.
 */
export function createIndexSql(table: string, spec: CollectionSpec, index: IndexDefinition): string {
  if (index.fields.length === 0 || index.fields.some((f) => f === '')) {
    throw new StewardError(
      'input.invalid',
      `index "${index.name}" on collection "${spec.name}" needs at least one non-empty field`,
      { collection: spec.name, index: index.name },
    );
  }
  const columns = index.fields.map((field) => `json_extract(doc, ${pathLiteral(field)})`).join(', ');
  const name = storedIndexName(spec, index.name).replaceAll('"', '""');
  return `CREATE ${index.unique ? 'UNIQUE ' : ''}INDEX IF NOT EXISTS "${name}" ON ${table} (${columns})`;
}

const extract = /json_extract\(doc,\s*'((?:[^']|'')*)'\)/g;
const step = /\."((?:[^"]|"")*)"/g;

/** The dotted fields of an index from its SQL, in order (`$."a"."b"` is `a.b`). */
export function indexFields(sql: string): string[] {
  return [...sql.matchAll(extract)].map((m) => {
    const path = (m[1] ?? '').replaceAll("''", "'");
    return [...path.matchAll(step)].map((s) => (s[1] ?? '').replaceAll('""', '"')).join('.');
  });
}

/**
 * The stored name of a collection's key index (see `keyIndexSql` in sqlite-store.ts), unquoted.
 * `#` is outside the names {@link storedIndexName} accepts, so no index of a user's has it.
 */
export function keyIndexStoredName(spec: CollectionSpec): string {
  return `${spec.name}#keys`;
}

/** {@link keyIndexStoredName} quoted for SQL (a collection name holds no `"`). */
export function keyIndexName(spec: CollectionSpec): string {
  return `"${keyIndexStoredName(spec)}"`;
}

/** A row when a table has its key index: tables made before it existed, and rowid tables, have none. */
export const keyIndexQuery = `SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = ? AND tbl_name = ?`;
