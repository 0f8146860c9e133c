import { hash } from 'node:crypto';
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

/**
 * The SQLite store's text digest (`Collection.textDigest`): SHA-256 of the stored text, base64url
 * (43 characters, where hex would make each image element 21 bytes longer for SQLite to read).
 * Why the text and not the content: SQLite keeps a document's text exactly as steward wrote it
 * (`JSON.stringify`), so hashing it needs no `JSON.parse` and no canonical text (0.5 µs against
 * 5.5 for the content digest in the restore statement, issue 17 fourth pass), and equal text is
 * equal content, so a match can never pass a changed document as unchanged; the same content
 * written with other field order only misses the match and is checked by content instead.
 */
export function sqliteTextDigest(text: string): string {
  return hash('sha256', text, 'base64url');
}

/** Databases whose `steward_text_digest(text)` is registered. */
const textDigestRegistered = new WeakSet<Database.Database>();

/**
 * Registers {@link sqliteTextDigest} as `steward_text_digest(text)` of this database, once: NULL
 * for a value that is not text (it never equals a digest).
 */
export function registerTextDigest(db: Database.Database): void {
  if (textDigestRegistered.has(db)) return;
  db.function('steward_text_digest', { deterministic: true }, (text) =>
    typeof text === 'string' ? sqliteTextDigest(text) : null,
  );
  textDigestRegistered.add(db);
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
 * that is not a string, is NULL and matches nothing). With `text`, an element's text digest
 * (`@text`) equal to `steward_text_digest` of the stored text is a match by itself, and
 * `steward_restore_digest` (the content digest: a `JSON.parse`, canonical text and SHA-256) runs
 * only where it is not: `CASE` evaluates its branches lazily, so each row pays for one digest
 * when its text is as written. `RETURNING` names the documents put back,
 * each with the number of elements read (a constant subquery over `e`, evaluated once); when none
 * was put back, `count` says how many elements there were, so the caller knows whether any was left.
 */
export function restoreCopiesSql(
  from: string,
  into: string,
  options: { text: boolean } = { text: false },
): { restore: string; count: string } {
  const holders = `b.k IN (SELECT value FROM json_each(@ids))`;
  const textColumn = options.text
    ? `, CASE json_type(x.value, @text) WHEN 'text' THEN x.value ->> @text END AS text`
    : '';
  const digestMatches = options.text
    ? 'CASE WHEN e.text IS NOT NULL AND steward_text_digest(t.doc) = e.text THEN 1 ' +
      'ELSE steward_restore_digest(t.doc) = e.digest END'
    : 'steward_restore_digest(t.doc) = e.digest';
  const restore =
    'WITH e AS MATERIALIZED (SELECT ' +
    `CASE json_type(x.value, @key) WHEN 'text' THEN 's:' || (x.value ->> @key) ELSE steward_key_id(x.value -> @key) END AS k, ` +
    `CASE json_type(x.value, @doc) WHEN 'object' THEN x.value -> @doc END AS doc, ` +
    `CASE json_type(x.value, @digest) WHEN 'text' THEN x.value ->> @digest END AS digest${textColumn} ` +
    `FROM ${from} AS b, json_each(b.doc, @field) AS x WHERE ${holders}) ` +
    `UPDATE ${into} AS t SET doc = e.doc FROM e WHERE t.k = e.k AND e.doc IS NOT NULL AND e.digest IS NOT NULL ` +
    `AND ${digestMatches} ` +
    // RETURNING sees only the updated table, by its own name: `k` is its key column.
    'RETURNING k, (SELECT count(*) FROM e)';
  const count = `SELECT coalesce(sum(json_array_length(b.doc, @field)), 0) FROM ${from} AS b WHERE ${holders}`;
  return { restore, count };
}
