import type Database from 'better-sqlite3';
import type { JsonObject } from '../../core/json.js';
import { isDocKey, keyId, type RestoreCopies } from '../store.js';

/** The function each database's restore statement calls as `steward_restore_digest`, once registered. */
const registered = new WeakMap<Database.Database, RestoreCopies['digestOf']>();

/**
 * Registers `digestOf` as the SQL function `steward_restore_digest(text)` of this database, unless
 * it is already (registering again would expire every prepared statement of the connection).
 * Stored text that is not JSON has no digest (NULL): it never equals one, so its document is left
 * to the caller, whose own read reports it as corrupt.
 */
export function registerRestoreDigest(db: Database.Database, digestOf: RestoreCopies['digestOf']): void {
  if (registered.get(db) === digestOf) return;
  db.function('steward_restore_digest', { deterministic: true }, (text) => {
    if (typeof text !== 'string') return null;
    try {
      return digestOf(JSON.parse(text) as JsonObject);
    } catch {
      return null;
    }
  });
  registered.set(db, digestOf);
}

/** The {@link keyId} of a key given as JSON text, or NULL when it is not a key. */
export function keyIdOfJson(json: unknown): string | null {
  if (typeof json !== 'string') return null;
  try {
    const key: unknown = JSON.parse(json);
    return isDocKey(key) ? keyId(key) : null;
  } catch {
    return null;
  }
}

/** The JSON path of a top-level field, as SQLite's `->` and `json_each` take it. */
export function fieldPath(field: string): string {
  return `$.${JSON.stringify(field)}`;
}

/**
 * The statements of `restoreCopies` over the copies table `from` into `into` (quoted names). The
 * elements are read out of the stored copies by `json_each` once, into `e` (string keys become
 * keyIds in SQL, other keys through `steward_key_id`; a copy that is not an object, or a digest
 * that is not a string, is NULL and matches nothing). `RETURNING` names the documents put back,
 * each with the number of elements read (a constant subquery over `e`, evaluated once); when none
 * was put back, `count` says how many elements there were, so the caller knows whether any was left.
 */
export function restoreCopiesSql(from: string, into: string): { restore: string; count: string } {
  const holders = `b.k IN (SELECT value FROM json_each(@ids))`;
  const restore =
    'WITH e AS MATERIALIZED (SELECT ' +
    `CASE json_type(x.value, @key) WHEN 'text' THEN 's:' || (x.value ->> @key) ELSE steward_key_id(x.value -> @key) END AS k, ` +
    `CASE json_type(x.value, @doc) WHEN 'object' THEN x.value -> @doc END AS doc, ` +
    `CASE json_type(x.value, @digest) WHEN 'text' THEN x.value ->> @digest END AS digest ` +
    `FROM ${from} AS b, json_each(b.doc, @field) AS x WHERE ${holders}) ` +
    `UPDATE ${into} AS t SET doc = e.doc FROM e WHERE t.k = e.k AND e.doc IS NOT NULL AND e.digest IS NOT NULL ` +
    'AND steward_restore_digest(t.doc) = e.digest ' +
    // RETURNING sees only the updated table, by its own name: `k` is its key column.
    'RETURNING k, (SELECT count(*) FROM e)';
  const count = `SELECT coalesce(sum(json_array_length(b.doc, @field)), 0) FROM ${from} AS b WHERE ${holders}`;
  return { restore, count };
}
