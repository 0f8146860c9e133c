import { setImmediate as nextTurn } from 'node:timers/promises';
import type Database from 'better-sqlite3';
import { expectationHolds } from '../../core/expectation.js';
import type { ParsedFilter } from '../../core/filter.js';
import { storedTextDigest } from '../../core/hash.js';
import { type JsonObject, type JsonValue, setField, setPath, unsetPath } from '../../core/json.js';
import { StewardError } from '../../errors/steward-error.js';
import { indexConflict, sameIndex } from '../index-definition.js';
import { patchKeyProblem } from '../patch-key.js';
import { scanShape } from '../projected-fields.js';
import { checkSegment } from '../segment.js';
import {
  type Collection,
  type CollectionSpec,
  type CopyOnWrite,
  type DocKey,
  docKey,
  type EncodedDocument,
  type Expectation,
  type IndexDefinition,
  type IndexInfo,
  keyFromId,
  keyId,
  type Page,
  type ReferenceCheck,
  type RestoreCopies,
  type RestoredCopies,
  type ScanOptions,
  type WriteOp,
  type WriteResult,
} from '../store.js';
import { corruptStoredText } from '../stored-text.js';
import { filterToSql, jsonPath, scalarEquals, scalarEqualsKind, scalarEqualsParam } from './filter-to-sql.js';
import { guardedSqlite, mapSqliteError, type SqliteTarget } from './sqlite-errors.js';
import {
  createIndexSql,
  indexFields,
  indexNameOf,
  keyIndexName,
  keyIndexQuery,
  keyIndexStoredName,
  storedIndexName,
} from './sqlite-indexes.js';
import { sqliteReferenceCheck } from './sqlite-reference-check.js';
import {
  fieldPath,
  registerRestoreDigest,
  registerTextDigest,
  restoreCopiesSql,
  textCopies,
} from './sqlite-restore-copies.js';

/** Rows counted per statement by an unfiltered count (see `countInPieces`): a few ms each. */
export const countPieceRows = 50_000;

type CountPiece = { n: number; last: string | null };

const namePattern = /^[A-Za-z_][A-Za-z0-9_.-]{0,127}$/;

/** The quoted table name of a collection; rejects names that are not plain identifiers. */
export function tableName(spec: CollectionSpec): string {
  if (!namePattern.test(spec.name)) {
    throw new StewardError(
      'input.invalid',
      `collection name "${spec.name}" is not valid: use letters, digits, "_", "-" and "." (at most 128)`,
    );
  }
  return `"${spec.name}"`;
}

/**
 * A collection stored as one SQLite table; every write batch is one `BEGIN IMMEDIATE`
 * transaction, so a concurrent writer waits for the lock instead of failing (see
 * `openSqliteStore`).
 */
export class SqliteCollection implements Collection {
  /** The quoted table name (another collection's `writeWithCopy` writes into it). */
  readonly table: string;
  /** Prepared statements by SQL text: preparing once per collection handle keeps batches fast. */
  private readonly statements = new Map<string, Database.Statement>();
  /** Conditional writes by statement, field and value type (see `expecting`). */
  private readonly conditional = new Map<string, Database.Statement>();
  /**
   * The conditional write `expecting` prepared last, by what chose it: a batch's writes all share
   * one (same statement, field and value type), and the lookup by a joined id string showed in
   * apply's profile (issue 17, fourth pass).
   */
  private lastConditional?: {
    readonly statement: string;
    readonly field: string;
    readonly kind: string;
    readonly prepared: Database.Statement;
  };
  /** The conditional replace's statement text, made once (see `expecting`). */
  private readonly updateDoc: string;
  /** The replace conditional on the stored text (see `whereStoredText`), made once. */
  private readonly updateIfText: string;

  constructor(
    /** The database handle; `writeWithCopy` pushes down only between tables of the same one. */
    readonly db: Database.Database,
    readonly spec: CollectionSpec,
    private readonly target: SqliteTarget,
  ) {
    this.table = tableName(spec);
    this.updateDoc = `UPDATE ${this.table} SET doc = ?`;
    this.updateIfText = `UPDATE ${this.table} SET doc = ? WHERE k = ? AND doc = ?`;
  }

  /** Whether the table exists (`SqliteStore.ensureCollection` asks before it creates one). */
  exists(): boolean {
    // Every `write` asks: the statement is prepared once, not once a call (15 µs a call against
    // 2, several calls a batch; issue 17, tenth pass).
    const row = this.statement(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?`).get(
      this.spec.name,
    );
    return row !== undefined;
  }

  /** Throws `collection.not-found` unless the table exists. */
  assertExists(): void {
    if (!this.exists()) {
      throw new StewardError(
        'collection.not-found',
        `collection "${this.spec.name}" does not exist in the SQLite store`,
        {
          collection: this.spec.name,
        },
      );
    }
  }

  async scan(options: ScanOptions = {}): Promise<Page> {
    // better-sqlite3 answers synchronously, so a loop over pages would only ever await settled
    // promises and never give the event loop a turn: `steward serve` answered no request while
    // a scan job ran. A network store yields at every page by nature; this one does it here,
    // after the read, as a network store does: the page is what the store held when asked, and
    // other work (another request, another writer) runs before the caller goes on with it.
    const page = this.scanNow(options);
    await nextTurn();
    return page;
  }

  private scanNow(options: ScanOptions): Page {
    const limit = options.limit ?? 500;
    const where = filterToSql(options.filter ?? [], this.spec.keyField);
    const clauses = [where.sql];
    const params: unknown[] = [...where.params];
    if (options.after) {
      clauses.push('k > ?');
      params.push(options.after);
    }
    const segment = checkSegment(options.segment, this.spec.name);
    if (segment) {
      clauses.push('steward_segment(k, ?) = ?');
      params.push(segment.total, segment.index);
    }
    const shape = scanShape(options, this.spec.keyField, this.spec.name);
    if (shape.kind === 'fields')
      return this.scanFields(shape.fields, clauses, params, limit, options.texts === true);
    // Keys only: the filter still reads `doc` inside SQLite, but no document text leaves it,
    // unless the texts are asked for too (then they leave unparsed).
    const keys = shape.kind === 'keys';
    const texts: string[] | undefined = options.texts ? [] : undefined;
    const columns = keys && !texts ? 'k' : 'k, doc';
    // Array mode: no object a row (about a quarter of a page's read, issue 17).
    const rows = this.raw(
      `SELECT ${columns} FROM ${this.table} WHERE ${clauses.join(' AND ')} ORDER BY k LIMIT ?`,
      [...params, limit],
    ) as [string, string?][];
    const docs: JsonObject[] = new Array(rows.length);
    if (texts) texts.length = rows.length;
    for (let i = 0; i < rows.length; i++) {
      const [k, text] = rows[i]!;
      docs[i] = keys ? this.keyDoc(k) : this.parse(k, text!);
      if (texts) texts[i] = text!;
    }
    const last = rows.at(-1);
    const next = rows.length < limit || !last ? null : last[0];
    return texts ? { docs, texts, next } : { docs, next };
  }

  /**
   * A projected page: each field is taken out of the stored JSON inside SQLite (`doc -> '$."f"'`
   * gives the field's JSON text, NULL when absent), so only those values leave it and are parsed.
   * With `texts`, the stored texts too, unparsed: a caller that hashes each document's text and
   * reads one field of it (rollback's census) is spared the objects of a whole parse, which cost
   * more than SQLite's own parse for `->` where documents nest (issue 17, tenth pass).
   */
  private scanFields(
    fields: readonly string[],
    clauses: string[],
    params: unknown[],
    limit: number,
    texts: boolean,
  ): Page {
    const columns = fields.map((_, i) => `doc -> ? AS f${i}`).join(', ');
    const paths = fields.map((f) => `$.${JSON.stringify(f)}`);
    const text = texts ? ', doc' : '';
    const rows = this.raw(
      `SELECT k, ${columns}${text} FROM ${this.table} WHERE ${clauses.join(' AND ')} ORDER BY k LIMIT ?`,
      [...paths, ...params, limit],
    );
    const docs = rows.map((row) => {
      const k = row[0] as string;
      const doc = this.keyDoc(k);
      fields.forEach((field, i) => {
        const text = row[i + 1] as string | null;
        // SQLite made this text from stored JSON it parsed, so it is JSON (a corrupt row fails in `->`).
        if (text !== null) setField(doc, field, JSON.parse(text) as JsonValue);
      });
      return doc;
    });
    const last = rows.at(-1);
    const next = rows.length < limit || !last ? null : (last[0] as string);
    if (!texts) return { docs, next };
    return { docs, texts: rows.map((row) => row[fields.length + 1] as string), next };
  }

  /**
   * ` INDEXED BY` the table's key index for a lookup that only asks whether keys exist, or nothing
   * when the table has none (see `keyIndexSql` in sqlite-store.ts; the planner never picks that
   * index by itself).
   */
  keyIndexedBy(): string {
    const found = this.statement(keyIndexQuery).get(keyIndexStoredName(this.spec), this.spec.name);
    return found === undefined ? '' : ` INDEXED BY ${keyIndexName(this.spec)}`;
  }

  /** A keys-only scan's document: the key field rebuilt from `k`, which is the key's keyId. */
  private keyDoc(k: string): JsonObject {
    return { [this.spec.keyField]: keyFromId(k) };
  }

  /**
   * The reference check inside SQLite, when the target is a table of this same database (another
   * file, or another store, is checked by the caller's own lookups): see `reference-check-sql.ts`.
   */
  referenceCheck(target: Collection, path: string): ReferenceCheck | undefined {
    if (!(target instanceof SqliteCollection) || target.db !== this.db) return undefined;
    const tables = { source: this.table, target: target.table, targetIndexedBy: target.keyIndexedBy() };
    return sqliteReferenceCheck(this.db, tables, this.spec, path, (run) => this.guardRead(run));
  }

  /**
   * Runs a read, with the errors mapped as {@link all} maps them, and a document SQLite could not
   * read as JSON reported as `store.corrupt` with its key.
   */
  private guardRead<T>(run: () => T): T {
    try {
      return run();
    } catch (error) {
      if (/no such table/.test((error as Error).message)) this.assertExists();
      throw this.corruptDocument(error) ?? mapSqliteError(error, this.target);
    }
  }

  async getMany(keys: readonly DocKey[]): Promise<Map<string, JsonObject>> {
    const ids = [...new Set(keys.map(keyId))];
    const rows = this.all<{ k: string; doc: string }>(
      `SELECT k, doc FROM ${this.table} WHERE k IN (SELECT value FROM json_each(?))`,
      [JSON.stringify(ids)],
    );
    return new Map(rows.map((r) => [r.k, this.parse(r.k, r.doc)]));
  }

  /**
   * {@link getMany}'s rows as stored, unparsed. A statement text of its own (`AS text`): array
   * mode (`raw`) changes a prepared statement for good, and the cache shares statements by text.
   */
  async getTexts(keys: readonly DocKey[]): Promise<Map<string, string>> {
    const ids = [...new Set(keys.map(keyId))];
    const sql = `SELECT k, doc AS text FROM ${this.table} WHERE k IN (SELECT value FROM json_each(?))`;
    return new Map(this.raw(sql, [JSON.stringify(ids)]) as [string, string][]);
  }

  /**
   * Reads keys only: no document text leaves SQLite and nothing is parsed. Through the key index
   * where the table has one (see `keyIndexSql` in sqlite-store.ts): the primary key's B-tree holds
   * whole rows, and a lookup in it reads every overflowing row it compares with.
   */
  async existingKeys(keys: readonly DocKey[]): Promise<Set<string>> {
    const ids = [...new Set(keys.map(keyId))];
    if (ids.length === 0) return new Set();
    const sql = `SELECT k FROM ${this.table}${this.keyIndexedBy()} WHERE k IN (SELECT value FROM json_each(?))`;
    return new Set(this.all<{ k: string }>(sql, [JSON.stringify(ids)]).map((r) => r.k));
  }

  async write(ops: readonly WriteOp[]): Promise<WriteResult[]> {
    this.assertExists();
    const apply = this.db.transaction((batch: readonly WriteOp[]) =>
      batch.map((op) => this.applyOneRefusable(op)),
    );
    // IMMEDIATE takes the write lock at BEGIN, where SQLite waits out the busy timeout. A
    // deferred transaction would start as a read and upgrade at its first write, and SQLite
    // refuses such an upgrade at once (SQLITE_BUSY) when another process wrote meanwhile.
    return guardedSqlite(this.target, () => apply.immediate(ops));
  }

  /**
   * The pushdown of `writeWithCopy`: one `INSERT ... SELECT` builds the copy from the stored rows
   * (`json(doc)` of each: the stored text, minified as steward stores it, never parsed in
   * JavaScript; with `asText`, `json_quote(doc)`: the text byte for byte, as a JSON string), in
   * the same `BEGIN IMMEDIATE` transaction as the writes, so the copy holds each document exactly
   * as the write found it and commits with it or not at all. Undefined when `copy.into` is not a
   * table of this database.
   */
  async writeWithCopy(ops: readonly WriteOp[], copy: CopyOnWrite): Promise<WriteResult[] | undefined> {
    const into = copy.into;
    if (!(into instanceof SqliteCollection) || into.db !== this.db) return undefined;
    const k = into.keyOf(copy.doc);
    if (k === undefined)
      throw new StewardError(
        'input.invalid',
        `the copy for "${into.spec.name}" has no string, number or ObjectId "${into.spec.keyField}"`,
      );
    this.assertExists();
    into.assertExists();
    const held = copy.doc[copy.field];
    const params = {
      k,
      head: openArray(copy.doc, copy.field),
      held: Array.isArray(held) ? held.map((e) => JSON.stringify(e)).join(',') : '',
      copies: copiesText(copy.copies, copy.as),
      as: `${JSON.stringify(copy.as)}:`,
    };
    // Text is joined, not parsed: each element is its entry's JSON (as `json_each` renders it)
    // with its closing brace replaced by the `as` field holding the stored text. Stored text that
    // is not JSON (written outside steward) fails the statement in `json()`, and with it the
    // transaction: no copy is saved without its document. The copies are one JSON object keyed by
    // keyId (`copiesText`), so `json_each` gives each key and entry text without a JSON access
    // each: 0.75 µs a document less than `->>` and `->` on `[keyId, entry]` pairs (issue 17,
    // seventh pass).
    // With `asText`, the stored text quoted as a JSON string: no parse of the document (json_valid
    // parsed each one), and the bytes as stored. Text that is not JSON is copied too, but no write
    // of apply reaches it: each is conditional, and reading its version field fails the statement.
    const stored = copy.asText
      ? 'json_quote(t.doc)'
      : `(CASE WHEN json_valid(t.doc) THEN t.doc ELSE json(t.doc) END)`;
    const sql =
      `INSERT INTO ${into.table} (k, doc) SELECT @k, @head || coalesce((SELECT group_concat(x, ',') FROM (` +
      `SELECT (CASE WHEN c.value = '{}' THEN '{' ELSE substr(c.value, 1, length(c.value) - 1) || ',' END) || @as || ${stored} || '}' AS x ` +
      `FROM json_each(@copies) AS c JOIN ${this.table} AS t ON t.k = c.key ` +
      `UNION ALL SELECT @held WHERE @held <> '')), '') || ']}' ` +
      'ON CONFLICT(k) DO UPDATE SET doc = excluded.doc';
    const apply = this.db.transaction(() => {
      this.statement(sql).run(params);
      return ops.map((op) => this.applyOneRefusable(op));
    });
    try {
      return guardedSqlite(this.target, () => apply.immediate());
    } catch (error) {
      if (!/malformed JSON/.test((error as Error).message)) throw error;
      throw new StewardError(
        'store.corrupt',
        `a document of collection "${this.spec.name}" of the SQLite store is not JSON; it was written outside ` +
          'steward: nothing was copied or written. Find it with a scan, then restore it from a backup or delete it',
        { collection: this.spec.name },
      );
    }
  }

  /**
   * The pushdown of `restoreCopies`: one `UPDATE ... FROM` over the elements of the stored copies
   * (read out by `json_each`, never parsed in JavaScript) puts each copy's text back where the
   * stored document's digest (`steward_restore_digest`, the caller's function) equals the
   * element's, in one `BEGIN IMMEDIATE` transaction: the check and the write see the same row, so
   * no change can land between them. Undefined when `restore.from` is not a table of this
   * database, or when a unique index refuses one of the writes: the statement is all or nothing,
   * so then nothing is written, and the caller's own writes fail that document alone.
   */
  async restoreCopies(restore: RestoreCopies): Promise<RestoredCopies | undefined> {
    const from = restore.from;
    if (!(from instanceof SqliteCollection) || from.db !== this.db) return undefined;
    this.assertExists();
    from.assertExists();
    const byText = this.restoreByText(from, restore);
    if (byText !== 'not-text') return byText;
    registerRestoreDigest(this.db, restore.digestOf);
    registerTextDigest(this.db);
    const text = restore.textDigest;
    const docText = restore.docText;
    const sql = restoreCopiesSql(from.table, this.table, {
      text: text !== undefined,
      docText: docText !== undefined,
    });
    const params = {
      ids: JSON.stringify(restore.ids.map(keyId)),
      field: fieldPath(restore.field),
      key: fieldPath(restore.key),
      doc: fieldPath(restore.doc),
      digest: fieldPath(restore.digest),
      ...(text === undefined ? {} : { text: fieldPath(text) }),
      ...(docText === undefined ? {} : { docText: fieldPath(docText) }),
    };
    const { field, ids } = params;
    const run = this.db.transaction(() => {
      const rows = this.statement(sql.restore).raw(true).all(params) as [string, number][];
      const restored = new Set(rows.map((row) => row[0]));
      const elements = rows[0]?.[1] ?? (this.statement(sql.count).pluck().get({ field, ids }) as number);
      return { restored, elements };
    });
    try {
      return guardedSqlite(this.target, () => run.immediate());
    } catch (error) {
      if ((error as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE') return undefined;
      throw error;
    }
  }

  /**
   * `restoreCopies` where every element holds its copy as stored text and only a text digest (the
   * images of a `stored-text` apply): in one `BEGIN IMMEDIATE` transaction, the holders are read
   * and taken apart here (`textCopies`: the texts cut out where a holder keeps them raw, else the
   * holder parsed, its elements being strings, cheap to parse), and each copy is written back as
   * its text by one UPDATE that holds only while the stored text's digest
   * (`steward_text_digest`) is the copy's. The transaction holds the write lock from the read to
   * the last write, and each check is in its write's own statement, as in the statement below. A
   * key twice in the images: the second copy's check meets the first copy's text, as it should.
   * Cheaper than that statement, which has SQLite render each element and take it apart again field
   * by field (rollback's restore at 100,000 documents: about 8 µs a document there, issue 17 ninth
   * pass), and than reading the current texts in one statement, hashing them here and writing
   * those that matched: the key was looked up twice and each text made into a JavaScript string
   * for the read and again for the write's row (2-3 µs a document more, issue 17 11th pass).
   * `not-text` where any element is of another form (images of a `content` attempt or an older
   * version): the statement handles those.
   */
  private restoreByText(
    from: SqliteCollection,
    restore: RestoreCopies,
  ): RestoredCopies | undefined | 'not-text' {
    if (restore.docText === undefined || restore.textDigest === undefined) return 'not-text';
    const ids = JSON.stringify(restore.ids.map(keyId));
    // Its own statement text: `raw` changes a prepared statement for good, and the cache shares
    // statements by text (`getMany` reads `SELECT k, doc ...` as objects).
    const holders = this.statement(
      `SELECT k, doc AS holder FROM ${from.table} WHERE k IN (SELECT value FROM json_each(?))`,
    ).raw(true);
    registerTextDigest(this.db);
    const write = this.statement(
      `UPDATE ${this.table} SET doc = ? WHERE k = ? AND steward_text_digest(doc) = ?`,
    );
    const run = this.db.transaction((): RestoredCopies | 'not-text' => {
      const copies = textCopies(holders.all(ids) as [string, string][], restore);
      if (copies === undefined) return 'not-text';
      const restored = new Set<string>();
      for (let i = 0; i < copies.length; i++) {
        const copy = copies[i]!;
        if (write.run(copy.text, copy.k, copy.textDigest).changes === 1) restored.add(copy.k);
      }
      return { restored, elements: copies.length };
    });
    try {
      return guardedSqlite(this.target, () => run.immediate());
    } catch (error) {
      if ((error as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE') return undefined;
      throw error;
    }
  }

  /**
   * `doc`'s text as {@link write} stores it and that text's digest, made together from one
   * `JSON.stringify`: an `insert` or `replace` carrying it stores `text` as it is (see `textOf`),
   * so the digest a caller keeps is of the very text stored. A change to how writes serialize
   * documents must change this with it. Apply used to digest the text and then `write`,
   * serializing each written document twice (about 0.9 µs of its 27); a cache keyed
   * by the document object was rejected, as a document changed between the calls would be written
   * other than digested. Frozen: nothing can pair the text with another digest afterwards.
   * With `text` (a JSON text of `doc`, as a before-image kept it), that text instead, unchecked.
   */
  encode(doc: JsonObject, text = JSON.stringify(doc)): EncodedDocument {
    return new StoredText(text);
  }

  /**
   * A write a unique secondary index refuses fails alone, as on the other stores: SQLite undoes
   * just that statement, so the rest of the batch still goes in one transaction.
   */
  private applyOneRefusable(op: WriteOp): WriteResult {
    try {
      return this.applyOne(op);
    } catch (error) {
      if ((error as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE')
        return { status: 'failed', reason: (error as Error).message };
      throw error;
    }
  }

  async count(options: { filter?: ParsedFilter } = {}): Promise<number> {
    if ((options.filter ?? []).length === 0) return this.countInPieces();
    // A filtered count keeps one statement: it may be answered from a secondary index, which
    // counting by key ranges would give up.
    const where = filterToSql(options.filter ?? [], this.spec.keyField);
    const row = this.all<{ n: number }>(
      `SELECT count(*) AS n FROM ${this.table} WHERE ${where.sql}`,
      where.params,
    )[0];
    return row?.n ?? 0;
  }

  /**
   * Every document, counted along the primary key in ranges of `countPieceRows` with a turn of
   * the event loop between them: better-sqlite3 is synchronous, and one `count(*)` over a table of
   * a million rows held `steward serve`'s loop for 50 to 170 ms (issue 16). No slower: each piece
   * reads on from where the last one stopped in the key index. Exact when nothing writes meanwhile;
   * beside a writer each piece counts its key range as the store held it then, no longer one
   * snapshot of the whole table (as on the network stores, whose counts are not one either).
   */
  private async countInPieces(): Promise<number> {
    const first = `SELECT count(*) AS n, max(k) AS last FROM (SELECT k FROM ${this.table} ORDER BY k LIMIT ?)`;
    const next = `SELECT count(*) AS n, max(k) AS last FROM (SELECT k FROM ${this.table} WHERE k > ? ORDER BY k LIMIT ?)`;
    let total = 0;
    let after: string | null = null;
    for (;;) {
      const params: unknown[] = after === null ? [countPieceRows] : [after, countPieceRows];
      const sql: string = after === null ? first : next;
      const piece: CountPiece | undefined = this.all<CountPiece>(sql, params)[0];
      total += piece?.n ?? 0;
      if (!piece || piece.n < countPieceRows || piece.last === null) return total;
      after = piece.last;
      await nextTurn();
    }
  }

  async listIndexes(): Promise<IndexInfo[]> {
    this.assertExists();
    const primary: IndexInfo = { name: 'primary', fields: [this.spec.keyField], unique: true };
    const rows = this.db.prepare(`PRAGMA index_list(${this.table})`).all() as {
      name: string;
      unique: number;
    }[];
    // The key index is the adapter's own (see `keyIndexSql`), as the primary key's autoindex is.
    const secondary = rows
      .filter((r) => !r.name.startsWith('sqlite_autoindex') && r.name !== keyIndexStoredName(this.spec))
      .map((r) => ({
        name: indexNameOf(this.spec, r.name),
        fields: indexFields(this.indexSql(r.name)),
        unique: r.unique === 1,
      }));
    return [primary, ...secondary];
  }

  /** An expression index over the fields, usable by filters on them (see `sqlite-indexes.ts`). */
  async createIndex(index: IndexDefinition): Promise<void> {
    const sql = createIndexSql(this.table, this.spec, index);
    const existing = (await this.listIndexes()).find((i) => i.name === index.name);
    if (existing && !sameIndex(existing, index)) throw indexConflict(this.spec, existing, index);
    if (!existing) guardedSqlite(this.target, () => this.db.exec(sql));
  }

  async dropIndex(name: string): Promise<void> {
    this.assertExists();
    const sql = `DROP INDEX IF EXISTS "${storedIndexName(this.spec, name).replaceAll('"', '""')}"`;
    guardedSqlite(this.target, () => this.db.exec(sql));
  }

  private indexSql(index: string): string {
    const row = this.db.prepare(`SELECT sql FROM sqlite_master WHERE name = ?`).get(index) as
      | { sql: string | null }
      | undefined;
    return row?.sql ?? '';
  }

  private applyOne(op: WriteOp): WriteResult {
    switch (op.type) {
      case 'insert': {
        const k = this.keyOf(op.doc);
        if (k === undefined) return this.noKey();
        const changes = this.run(
          `INSERT INTO ${this.table} (k, doc) VALUES (?, ?) ON CONFLICT(k) DO NOTHING`,
          [k, textOf(op)],
        );
        return changes === 1 ? { status: 'ok' } : { status: 'exists' };
      }
      case 'replace': {
        const k = this.keyOf(op.doc);
        if (k === undefined) return this.noKey();
        // Without an expectation nothing needs the stored document: one statement, no read.
        const text = textOf(op);
        if (!op.expect) {
          if (op.upsert) return this.put(k, text);
          const changed = this.run(`UPDATE ${this.table} SET doc = ? WHERE k = ?`, [text, k]);
          return changed === 1 ? { status: 'ok' } : { status: 'missing' };
        }
        const result =
          op.expect.storedText === undefined
            ? this.whereExpected(this.updateDoc, text, k, op.expect)
            : this.whereStoredText(text, k, op.expect.storedText);
        return result.status === 'missing' && op.upsert ? this.put(k, text) : result;
      }
      case 'patch': {
        const refused = patchKeyProblem(this.spec.keyField, op);
        if (refused) return { status: 'failed', reason: refused };
        const k = keyId(op.key);
        const current = this.read(k);
        if (!current) return { status: 'missing' };
        if (op.expect && !expectationHolds(current, op.expect)) return { status: 'conflict' };
        let next = current;
        for (const [path, value] of Object.entries(op.set ?? {})) next = setPath(next, path, value);
        for (const path of op.unset ?? []) next = unsetPath(next, path);
        return this.put(k, JSON.stringify(next));
      }
      case 'delete': {
        const k = keyId(op.key);
        if (op.expect) return this.whereExpected(`DELETE FROM ${this.table}`, undefined, k, op.expect);
        const deleted = this.run(`DELETE FROM ${this.table} WHERE k = ?`, [k]);
        return deleted === 1 ? { status: 'ok' } : { status: 'missing' };
      }
    }
  }

  /**
   * Runs `statement` (an UPDATE or DELETE) on document `k` only while the expectation holds, as
   * one statement: the expectation compiles to SQL with the filters' typed equality, so it means
   * what `expectationHolds` means (`undefined`, absent, is `exists: false`). When no row changed, one key lookup tells missing from conflict.
   */
  private whereExpected(
    statement: string,
    text: string | undefined,
    k: string,
    expect: Expectation,
  ): WriteResult {
    const prepared = this.expecting(statement, expect);
    // No spread of argument arrays: this runs once a document in apply and rollback.
    const bound = scalarEqualsParam(expect.value);
    const changed = (
      text === undefined
        ? bound === undefined
          ? prepared.run(k)
          : prepared.run(k, bound)
        : bound === undefined
          ? prepared.run(text, k)
          : prepared.run(text, k, bound)
    ).changes;
    return this.conditionalOutcome(changed, k);
  }

  /**
   * Replaces document `k` with `text` only while its stored text is still `read`: a comparison of
   * text in the key's row, where the field's condition has SQLite read the field out of the stored
   * JSON.
   */
  private whereStoredText(text: string, k: string, read: string): WriteResult {
    return this.conditionalOutcome(this.statement(this.updateIfText).run(text, k, read).changes, k);
  }

  /** A conditional write's outcome: when no row changed, one key lookup tells missing from conflict. */
  private conditionalOutcome(changed: number, k: string): WriteResult {
    if (changed === 1) return { status: 'ok' };
    return this.statement(`SELECT 1 FROM ${this.table} WHERE k = ?`).get(k)
      ? { status: 'conflict' }
      : { status: 'missing' };
  }

  /**
   * `statement WHERE k = ? AND <expectation>`, prepared once per field and value type (its SQL
   * depends on nothing else): a migration's batch runs thousands of these.
   */
  private expecting(statement: string, expect: Expectation): Database.Statement {
    const kind = scalarEqualsKind(expect.value);
    const last = this.lastConditional;
    if (last && last.statement === statement && last.field === expect.field && last.kind === kind)
      return last.prepared;
    const id = `${statement}\u0000${expect.field}\u0000${kind}`;
    let prepared = this.conditional.get(id);
    if (!prepared) {
      const holds = scalarEquals(jsonPath(expect.field), expect.value);
      prepared = this.statement(`${statement} WHERE k = ? AND (${holds.sql})`);
      this.conditional.set(id, prepared);
    }
    this.lastConditional = { statement, field: expect.field, kind, prepared };
    return prepared;
  }

  private keyOf(doc: JsonObject): string | undefined {
    const key = docKey(doc, this.spec);
    return key === undefined ? undefined : keyId(key);
  }

  private noKey(): WriteResult {
    return { status: 'failed', reason: `document has no string, number or ObjectId "${this.spec.keyField}"` };
  }

  private read(k: string): JsonObject | undefined {
    const row = this.statement(`SELECT doc FROM ${this.table} WHERE k = ?`).get(k) as
      | { doc: string }
      | undefined;
    return row ? this.parse(k, row.doc) : undefined;
  }

  /**
   * A stored document. Text that is not JSON was written outside steward (steward writes through
   * `JSON.stringify` only): `store.corrupt`, exit 3, naming the collection and key, not a crash.
   */
  private parse(k: string, text: string): JsonObject {
    try {
      return JSON.parse(text) as JsonObject;
    } catch (error) {
      throw this.corrupt(k, (error as Error).message);
    }
  }

  /** `store.corrupt` for the stored document `k`, whose text is not JSON (see {@link parse}). */
  private corrupt(k: string, reason: string): StewardError {
    return corruptStoredText(this.spec.name, k, reason, 'SQLite');
  }

  /**
   * The error for a statement SQLite stopped with "malformed JSON" while reading this collection's
   * documents inside SQLite (`->`, `json_extract`): `store.corrupt` naming the first such document,
   * as {@link parse} would have named it, or undefined when none is (the error came from elsewhere).
   */
  private corruptDocument(error: unknown): StewardError | undefined {
    if (!/malformed JSON/i.test((error as Error)?.message ?? '')) return undefined;
    const row = this.db
      .prepare(`SELECT k FROM ${this.table} WHERE NOT json_valid(doc) ORDER BY k LIMIT 1`)
      .get() as { k: string } | undefined;
    return row ? this.corrupt(row.k, 'SQLite: malformed JSON') : undefined;
  }

  /** Stores `text` (a document's JSON) under `k`, inserting or replacing. */
  private put(k: string, text: string): WriteResult {
    this.run(
      `INSERT INTO ${this.table} (k, doc) VALUES (?, ?) ON CONFLICT(k) DO UPDATE SET doc = excluded.doc`,
      [k, text],
    );
    return { status: 'ok' };
  }

  private run(sql: string, params: unknown[]): number {
    return this.statement(sql).run(...params).changes;
  }

  private statement(sql: string): Database.Statement {
    let statement = this.statements.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }

  /**
   * Runs a query, turning SQLite's "no such table" into a user-facing not-found error, and a lock
   * held too long (rare for a read in WAL mode, but possible while the log is recovered) into
   * `store.timeout`.
   */
  private all<T>(sql: string, params: unknown[]): T[] {
    try {
      return this.statement(sql).all(...params) as T[];
    } catch (error) {
      if (/no such table/.test((error as Error).message)) this.assertExists();
      throw mapSqliteError(error, this.target);
    }
  }

  /** {@link all} in array mode: each row an array of its columns, cheaper than an object per row. */
  private raw(sql: string, params: unknown[]): unknown[][] {
    return this.guardRead(
      () =>
        this.statement(sql)
          .raw(true)
          .all(...params) as unknown[][],
    );
  }
}

/**
 * {@link SqliteCollection.encode}'s result. The digest is made when first asked for: an image
 * chunk is encoded (its text joined once, see batch-images.ts) but its digest never read, and
 * hashing every chunk cost apply about 0.6 µs a document (30 MB of chunks a 100,000 documents,
 * issue 17 tenth pass). Frozen, the text fixed; the digest, kept in a private field, can only be
 * that text's.
 */
class StoredText implements EncodedDocument {
  #digest: string | undefined;
  constructor(readonly text: string) {
    Object.freeze(this);
  }
  get textDigest(): string {
    this.#digest ??= storedTextDigest(this.text);
    return this.#digest;
  }
}

/**
 * The text an `insert` or `replace` stores: its `encoded` text when it carries one (made by
 * `encode` from one `JSON.stringify`, its digest kept by the caller), else `JSON.stringify(doc)`.
 */
function textOf(op: Extract<WriteOp, { type: 'insert' | 'replace' }>): string {
  return op.encoded === undefined ? JSON.stringify(op.doc) : op.encoded.text;
}

/** `doc` as JSON text with `field` moved last and its array left open: `{...,"field":[`. */
function openArray(doc: JsonObject, field: string): string {
  const { [field]: _held, ...rest } = doc;
  const text = JSON.stringify(rest);
  return `${text.length > 2 ? `${text.slice(0, -1)},` : '{'}${JSON.stringify(field)}:[`;
}

/**
 * The copies as one JSON object of entries keyed by keyId, in order, each entry without `as`: one
 * `JSON.stringify` for the batch, the entries as objects. This runs once a document in apply:
 * each entry serialized on its own and then quoted again as a string cost 1.0 µs a document
 * against 0.4 (issue 17, fifth pass). A key given twice keeps both elements: the text is then
 * joined by hand, with the key repeated (JSON text may repeat a name; `json_each` gives each).
 */
function copiesText(copies: CopyOnWrite['copies'], as: string): string {
  // keyIds start with `s:`, `n:` or `o:`: none is `__proto__` or an array index.
  const byId: Record<string, JsonObject> = {};
  for (let i = 0; i < copies.length; i++) {
    const { key, entry } = copies[i]!;
    const id = keyId(key);
    if (Object.hasOwn(byId, id)) return repeatedCopiesText(copies, as);
    byId[id] = entryWithout(entry, as);
  }
  return JSON.stringify(byId);
}

/** {@link copiesText} where a key repeats: each entry serialized on its own (a rare path). */
function repeatedCopiesText(copies: CopyOnWrite['copies'], as: string): string {
  const members = copies.map(
    ({ key, entry }) => `${JSON.stringify(keyId(key))}:${JSON.stringify(entryWithout(entry, as))}`,
  );
  return `{${members.join(',')}}`;
}

/** The entry without `as`, copied only when it is there: callers send entries without it. */
function entryWithout(entry: JsonObject, as: string): JsonObject {
  return Object.hasOwn(entry, as) ? withoutField(entry, as) : entry;
}

function withoutField(doc: JsonObject, field: string): JsonObject {
  const { [field]: _dropped, ...rest } = doc;
  return rest;
}
