import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { keyFraction } from '../../core/hash.js';
import { StewardError } from '../../errors/steward-error.js';
import type {
  CollectionSpec,
  CopyOptions,
  CopyResult,
  LayoutGap,
  Store,
  StoreCapabilities,
  StoreInfo,
} from '../store.js';
import type { SqliteStoreConfig } from '../store-config.js';
import { storeLabel, storeTimeout } from '../store-timeouts.js';
import { SqliteCollection, tableName } from './sqlite-collection.js';
import { guardedSqlite, type SqliteTarget } from './sqlite-errors.js';
import { keyIndexName, keyIndexStoredName } from './sqlite-indexes.js';
import { keyIdOfJson } from './sqlite-restore-copies.js';
import { segmentOf } from './sqlite-segment.js';

const capabilities: StoreCapabilities = {
  cheapExactCount: true,
  orderedScan: true,
  secondaryIndexes: true,
  maxBatchGet: 5000,
  maxBatchWrite: 5000,
  atomicConditionalWrites: true,
  defaultKeyField: 'id',
};

/**
 * Opens (creating if needed) a SQLite database file. Each collection is a table of
 * `(k TEXT PRIMARY KEY, doc TEXT)`: `k` is the key's `keyId` (so string and number keys never
 * collide) and `doc` the document as JSON, queried with SQLite's JSON functions.
 *
 * Several processes may write one file at once (two repairs, a scan beside an apply): every
 * write transaction takes the write lock when it begins (`BEGIN IMMEDIATE`), and a writer that
 * finds it taken waits up to `busyTimeoutMs` for it, then fails with `store.timeout` (exit 3).
 */
export async function openSqliteStore(config: SqliteStoreConfig): Promise<Store> {
  const file = resolve(config.file);
  const target: SqliteTarget = {
    file,
    busyTimeoutMs: storeTimeout(config, 'busyTimeoutMs'),
    ...(config.name === undefined ? {} : { store: config.name }),
  };
  const db = openDatabase(file, target);
  // Registered once per connection: segments and samples hash keys the same way on every store.
  db.function('steward_segment', { deterministic: true }, (k, n) => segmentOf(String(k), Number(n)));
  db.function('steward_fraction', { deterministic: true }, (k, seed) => keyFraction(String(k), String(seed)));
  // The keyId of a key given as JSON text (`restoreCopies` reads keys out of stored copies).
  db.function('steward_key_id', { deterministic: true }, (json) => keyIdOfJson(json));
  return new SqliteStore(db, target);
}

/** Opens the file with the busy timeout and WAL; a failure is `store.unreachable` (or `store.timeout`). */
function openDatabase(file: string, target: SqliteTarget): Database.Database {
  let db: Database.Database | undefined;
  try {
    if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
    db = new Database(file);
    const opened = db;
    // The busy timeout first: switching to WAL itself needs the lock another process may hold.
    opened.pragma(`busy_timeout = ${target.busyTimeoutMs}`);
    guardedSqlite(target, () => opened.pragma('journal_mode = WAL'));
    opened.pragma('synchronous = NORMAL');
    return opened;
  } catch (error) {
    db?.close();
    if (error instanceof StewardError) throw error;
    throw new StewardError(
      'store.unreachable',
      `cannot open ${storeLabel(target.store, `SQLite file ${file}`)}: ${(error as Error).message}`,
      { file },
    );
  }
}

class SqliteStore implements Store {
  readonly kind = 'sqlite' as const;
  readonly capabilities = capabilities;

  constructor(
    private readonly db: Database.Database,
    private readonly target: SqliteTarget,
  ) {}

  collection(spec: CollectionSpec): SqliteCollection {
    return new SqliteCollection(this.db, spec, this.target);
  }

  async ensureCollection(spec: CollectionSpec): Promise<void> {
    // A table that exists is left as it is: no layout change, no index built on a user's table,
    // and no write lock taken (the ledger ensures its tables on every open).
    const collection = this.collection(spec);
    if (guardedSqlite(this.target, () => collection.exists())) return;
    const create = this.db.transaction(() => {
      if (collection.exists()) return; // made by another process while this one waited
      this.db.exec(createTableSql(spec));
      this.addKeyIndex(spec);
    });
    guardedSqlite(this.target, () => create.immediate());
  }

  async dropCollection(spec: CollectionSpec): Promise<void> {
    const sql = `DROP TABLE IF EXISTS ${tableName(spec)}`;
    guardedSqlite(this.target, () => this.db.exec(sql));
  }

  async listCollections(): Promise<string[]> {
    const rows = this.db
      .prepare(
        `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`,
      )
      .all() as { name: string }[];
    return rows.map((r) => r.name);
  }

  async copyCollection(
    source: CollectionSpec,
    target: CollectionSpec,
    options: CopyOptions = {},
  ): Promise<CopyResult> {
    // Stays inside SQLite: no document passes through JavaScript, so memory is flat.
    this.collection(source).assertExists();
    // The copy is laid out as its source is (a rowid table made outside steward stays one), so a
    // sandbox's timed writes cost what apply's will on the source.
    const layout = this.withoutRowid(source) ? target : { ...target, largeDocuments: true };
    const copy = this.db.transaction(() => {
      this.db.exec(`DROP TABLE IF EXISTS ${tableName(target)}`);
      this.db.exec(createTableSql(layout));
      const sample = options.fraction === undefined ? '' : 'WHERE steward_fraction(k, ?) < ?';
      const params = options.fraction === undefined ? [] : [options.seed ?? '', options.fraction];
      const copied = this.db
        .prepare(
          `INSERT INTO ${tableName(target)} (k, doc) SELECT k, doc FROM ${tableName(source)} ${sample}`,
        )
        .run(...params).changes;
      // After the rows: one sorted build costs less than keeping the index row by row.
      this.addKeyIndex(target);
      return copied;
    });
    // IMMEDIATE: the write lock is taken (or waited for) at BEGIN, never by upgrading a read.
    return { copied: guardedSqlite(this.target, () => copy.immediate()) };
  }

  /**
   * The key index (see {@link keyIndexSql}) when the table is `WITHOUT ROWID` and has none: a
   * table made by a steward before the index existed (issue 17, fourteenth pass), which
   * `ensureCollection` leaves as it is. What the table is, not what the spec says, decides: a
   * rowid table needs no key index.
   */
  async layoutGaps(spec: CollectionSpec): Promise<LayoutGap[]> {
    const collection = this.collection(spec);
    const gap = guardedSqlite(
      this.target,
      () => collection.exists() && this.withoutRowid(spec) && collection.keyIndexedBy() === '',
    );
    if (!gap) return [];
    const without =
      'lookups of keys (refs scan checked inside SQLite, existence checks) read whole documents on ' +
      'their way down the table; with documents of 4 KB refs scan took 6x as long';
    return [{ kind: 'key-index', name: keyIndexStoredName(spec), without }];
  }

  /**
   * Builds the key index {@link layoutGaps} names, in one `BEGIN IMMEDIATE` transaction (the
   * write lock, waited for up to the busy timeout; readers go on meanwhile). Reads every key once;
   * writes no document.
   */
  async closeLayoutGaps(spec: CollectionSpec): Promise<LayoutGap[]> {
    const gaps = await this.layoutGaps(spec);
    if (gaps.length === 0) return [];
    const build = this.db.transaction(() => this.addKeyIndex(spec));
    guardedSqlite(this.target, () => build.immediate());
    return gaps;
  }

  /**
   * Builds the key index ({@link keyIndexSql}) where the table is `WITHOUT ROWID`: the one place
   * that decides, from the table as it is, for a new table, a copy and a table made before the
   * index existed alike. Inside the caller's transaction.
   */
  private addKeyIndex(spec: CollectionSpec): void {
    if (this.withoutRowid(spec)) this.db.exec(keyIndexSql(spec));
  }

  /** Whether the collection's table is `WITHOUT ROWID` (see {@link createTableSql}); false when absent. */
  private withoutRowid(spec: CollectionSpec): boolean {
    const wr = this.db
      .prepare(`SELECT wr FROM pragma_table_list WHERE schema = 'main' AND name = ?`)
      .pluck()
      .get(spec.name);
    return wr === 1;
  }

  async ping(): Promise<StoreInfo> {
    const row = this.db.prepare('SELECT sqlite_version() AS version').get() as { version: string };
    return { product: `SQLite (${this.target.file})`, version: row.version };
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}

/**
 * A collection is a table of `k` (the keyId) and `doc` (the JSON text). Most are WITHOUT ROWID:
 * one B-tree ordered by `k`, so a scan in key order reads rows in place (a rowid table reads the
 * key index, then each row from the table: 4x the CPU of a scan of 250-byte documents, 3.3x
 * with an UPDATE each). A collection of `largeDocuments` is a rowid table with an index on `k`
 * instead: in a WITHOUT ROWID table every row is a key of its B-tree, and SQLite compares a
 * searched key with a row that overflows its page only after reading the whole row, so each
 * lookup or insert read whole rows on its way down. Steward's batch images (150 KB to 1.5 MB)
 * made a keyed read of the backups collection cost 0.4 ms against 9 us (issue 17, thirteenth
 * pass). The adapter's one CREATE TABLE: `ensureCollection` and the sandbox copies of
 * `copyCollection` (laid out as their source) both go through it, each followed by
 * `addKeyIndex`, which builds {@link keyIndexSql} where the table is `WITHOUT ROWID`.
 */
function createTableSql(spec: CollectionSpec): string {
  const layout = spec.largeDocuments ? '' : ' WITHOUT ROWID';
  return `CREATE TABLE ${tableName(spec)} (k TEXT PRIMARY KEY, doc TEXT NOT NULL)${layout}`;
}

/**
 * The key index of a WITHOUT ROWID table (a rowid table, of `largeDocuments`, gets none: its
 * primary key is such an index already): `k` alone, so a lookup that only asks whether a key
 * exists (the reference check pushed down, `existingKeys`) descends a B-tree of keys instead of one
 * of whole rows, which costs a read of every overflowing row compared on the way (see
 * {@link createTableSql}). The planner never picks it over the primary key by itself, so those
 * lookups name it (`INDEXED BY`). With targets of 4 KB an anti-join by hand took 11-14x as long
 * without it (issue 17, thirteenth pass), and `refs scan` 6.1x the raw scan of its source against
 * 0.9x with it (fourteenth). It costs an insert of a 250-byte document 12-21% more; an update of
 * `doc` does not touch it.
 */
function keyIndexSql(spec: CollectionSpec): string {
  return `CREATE INDEX IF NOT EXISTS ${keyIndexName(spec)} ON ${tableName(spec)} (k)`;
}
