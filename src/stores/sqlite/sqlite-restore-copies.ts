import type Database from 'better-sqlite3';
import { storedTextDigest } from '../../core/hash.js';
import { type JsonObject, parsedJsonObject } from '../../core/json.js';
import { cutRawTexts } from '../../core/raw-texts.js';
import { isDocKey, keyFromId, keyId, type RestoreCopies } from '../store.js';

/** The SQL functions registered on each database by {@link registerOnce}: by name, what each is made of. */
const registered = new WeakMap<Database.Database, Map<string, unknown>>();

/**
 * Registers `run` as the SQL function `name(text)` of this database, unless one made of `source`
 * is registered under that name already: registering again would expire every prepared statement
 * of the connection, and the restore statements run once an image. Another `source` under the same
 * name (another caller's `digestOf`) replaces it.
 */
function registerOnce(
  db: Database.Database,
  name: string,
  source: unknown,
  run: (text: unknown) => string | null,
): void {
  const functions = registered.get(db) ?? new Map<string, unknown>();
  if (functions.get(name) === source) return;
  db.function(name, { deterministic: true }, run);
  functions.set(name, source);
  registered.set(db, functions);
}

/**
 * Registers `digestOf` as the SQL function `steward_restore_digest(text)` of this database (once).
 * Stored text that is not JSON has no digest (NULL): it never equals one, so its document is left
 * to the caller, whose own read reports it as corrupt.
 */
export function registerRestoreDigest(db: Database.Database, digestOf: RestoreCopies['digestOf']): void {
  registerOnce(db, 'steward_restore_digest', digestOf, (text) => {
    if (typeof text !== 'string') return null;
    try {
      return digestOf(JSON.parse(text) as JsonObject);
    } catch {
      return null;
    }
  });
}

/**
 * Registers {@link storedTextDigest}, the SQLite store's text digest (`Collection.encode`), as
 * `steward_text_digest(text)` of this database (once): NULL for a value that is not text (it never
 * equals a digest). Why the text and not the content: SQLite keeps a document's text exactly as it
 * was written, so hashing it needs no `JSON.parse` and no canonical text (0.5 µs against 5.5 for
 * the content digest in the restore statement, issue 17 fourth pass), and equal text is equal
 * content, so a match can never pass a changed document as unchanged; the same content written with
 * other field order only misses the match.
 */
export function registerTextDigest(db: Database.Database): void {
  registerOnce(db, 'steward_text_digest', storedTextDigest, (text) =>
    typeof text === 'string' ? storedTextDigest(text) : null,
  );
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
 * elements are read out of the stored copies by `json_each` once, into `r`: each field taken by one
 * JSON access (`->` for the key and the copy, as JSON text; `->>` for the digests). `e` then makes
 * keys keyIds with string functions on that text: a string key is `"..."` and, without a backslash,
 * its value is the text between the quotes; with one it is unquoted by `->> '$'`, and other keys go
 * through `steward_key_id`. A copy that is not an object (its JSON text does not start with `{`)
 * matches nothing, nor does a digest that is not a string (a number or other JSON never equals a
 * digest's text). One JSON access a field instead of a `json_type` check and a read each: 1.4 µs
 * a document less (issue 17, fourth pass).
 *
 * With `text`, an element's text digest equal to `steward_text_digest` of the stored text is a
 * match by itself, and `steward_restore_digest` (the content digest: a `JSON.parse`, canonical
 * text and SHA-256) runs only where it is not and the element has one: `CASE` evaluates its
 * branches lazily, so each row pays for one digest when its text is as written. With `docText`,
 * an element holding the copy as its stored text (a JSON string) is put back as those bytes, and
 * one holding it as an object (images of earlier versions) as before. `RETURNING` names the
 * documents put back, each with the number of elements read (a constant subquery over `e`,
 * evaluated once); when none was put back, `count` says how many elements there were, so the
 * caller knows whether any was left.
 */
export function restoreCopiesSql(
  from: string,
  into: string,
  options: { text: boolean; docText?: boolean } = { text: false },
): { restore: string; count: string } {
  const holders = `b.k IN (SELECT value FROM json_each(@ids))`;
  const text = options.text ? ', text' : '';
  // Without a content digest only the text digest can match (CASE stops at the first true WHEN).
  const digestMatches = options.text
    ? 'CASE WHEN e.text IS NOT NULL AND steward_text_digest(t.doc) = e.text THEN 1 ' +
      'WHEN e.digest IS NULL THEN 0 ELSE steward_restore_digest(t.doc) = e.digest END'
    : 'e.digest IS NOT NULL AND steward_restore_digest(t.doc) = e.digest';
  // The stored text (`->>`: the string unquoted, its exact bytes), else the copy as an object
  // (`->`: JSON text, minified). Stored text may start with whitespace before its `{`.
  const copy = options.docText ? 'coalesce(x.value ->> @docText, x.value -> @doc)' : 'x.value -> @doc';
  const isObject = options.docText
    ? `substr(ltrim(e.doc, char(32, 9, 10, 13)), 1, 1) = '{'`
    : `substr(e.doc, 1, 1) = '{'`;
  const keyId =
    `CASE WHEN substr(kj, 1, 1) = '"' THEN 's:' || CASE WHEN instr(kj, '\\') = 0 ` +
    `THEN substr(kj, 2, length(kj) - 2) ELSE kj ->> '$' END ELSE steward_key_id(kj) END`;
  const restore =
    `WITH r AS MATERIALIZED (SELECT x.value -> @key AS kj, ${copy} AS doc, x.value ->> @digest AS digest` +
    `${options.text ? ', x.value ->> @text AS text' : ''} ` +
    `FROM ${from} AS b, json_each(b.doc, @field) AS x WHERE ${holders}), ` +
    `e AS MATERIALIZED (SELECT ${keyId} AS k, doc, digest${text} FROM r) ` +
    `UPDATE ${into} AS t SET doc = e.doc FROM e WHERE t.k = e.k AND ${isObject} AND ${digestMatches} ` +
    // RETURNING sees only the updated table, by its own name: `k` is its key column.
    'RETURNING k, (SELECT count(*) FROM e)';
  const count = `SELECT coalesce(sum(json_array_length(b.doc, @field)), 0) FROM ${from} AS b WHERE ${holders}`;
  return { restore, count };
}

/** One copy of {@link textCopies}: the key's keyId, the text to put back, the digest to match. */
export interface TextCopy {
  readonly k: string;
  readonly text: string;
  readonly textDigest: string;
}

/**
 * The elements of the holders' stored texts (`[k, doc]` of each holder), in order, when every one
 * holds its copy as stored text (`restore.docText`) that is a JSON object's text, a key, a text
 * digest and no content digest; undefined as soon as one does not (the restore statement takes
 * those images). A holder that keeps the texts raw (`core/raw-texts.ts`, the images of a
 * `stored-text` apply) has only its head parsed and each text cut from it, never unescaped: a
 * `JSON.parse` of the whole holder cost rollback about 1.5 µs a document (issue 17, tenth pass).
 * A holder that is not JSON, or without the array, has no elements, as in the statement. Pure.
 */
export function textCopies(
  holders: readonly (readonly [string, string])[],
  restore: RestoreCopies,
): TextCopy[] | undefined {
  const layout = { field: restore.field, text: restore.docText! };
  const out: TextCopy[] = [];
  for (const [k, holder] of holders) {
    const raw = cutRawTexts(holder, layout, String(keyFromId(k)));
    const elements = raw ? raw.elements : parsedJsonObject(holder)?.[restore.field];
    if (!Array.isArray(elements)) continue;
    for (let i = 0; i < elements.length; i++) {
      const element = elements[i] as Record<string, unknown> | null;
      const copy = textCopy(element, raw ? raw.texts[i] : element?.[layout.text], restore);
      if (!copy) return undefined;
      out.push(copy);
    }
  }
  return out;
}

/** The {@link TextCopy} of one element whose copy is `text`, or undefined where it has none. */
function textCopy(
  element: Record<string, unknown> | null,
  text: unknown,
  restore: RestoreCopies,
): TextCopy | undefined {
  const digest = element?.[restore.textDigest!];
  const key: unknown = element?.[restore.key];
  if (typeof text !== 'string' || typeof digest !== 'string' || element![restore.digest] !== undefined)
    return undefined;
  if (!isDocKey(key) || !/^\s*\{/.test(text)) return undefined;
  return { k: keyId(key), text, textDigest: digest };
}
