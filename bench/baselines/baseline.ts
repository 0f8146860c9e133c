import type { JsonObject } from '../../src/core/json.js';
import type { StoreConfig } from '../../src/stores/store-config.js';

/**
 * The benchmark's reference point: the same work done straight through a store's driver, the
 * way a careful engineer would write it by hand, with no steward code in between.
 *
 * `bench/baselines/` is the one place besides the adapters under `src/stores/<kind>/` that may
 * import a database driver. Drivers are imported lazily, so a run on one store loads only its own.
 */
export interface Baseline {
  /** Drops and recreates the baseline's own table or collection, `bench_tasks_baseline`. */
  reset(): Promise<void>;
  /** Writes one batch of new documents the driver's fastest way. */
  write(docs: readonly JsonObject[]): Promise<void>;
  /**
   * Reads every document back as a JSON object and counts them, the fastest way the driver allows
   * (issue 17: SQLite pages of 1000 in array mode, DynamoDB Scan with Limit 1000); `poll` is called
   * as it goes.
   */
  scan(poll: () => void): Promise<number>;
  /**
   * DynamoDB only: reads every document's key and these top-level fields, the fastest way the
   * driver allows for a check that needs one field (Scan with Limit 1000 and a
   * ProjectionExpression), each item unmarshalled as the seam must; `poll` is called as it goes.
   */
  scanFields?(fields: readonly string[], poll: () => void): Promise<number>;
  /**
   * DynamoDB only: the orphan check of `field` as a user would write it with the driver, the
   * fastest way it allows: every key of the `target` table read into a Set (a Scan projected on
   * the partition key, in pages of up to 10,000), then the `source` table scanned projected on its
   * key and `field` (pages of up to 10,000), each value looked up in the Set straight from its
   * attribute (no unmarshalling). Returns how many source items name a key the target lacks.
   * Tables named as the store names them (prefix included).
   */
  orphanCheck?(source: string, target: string, field: string, poll: () => void): Promise<number>;
  /**
   * SQLite only: the orphan check of `field` pushed down as one SQL anti-join over steward's own
   * tables (`k` is the key's keyId, `s:<key>` for a string): how many source documents name a
   * string key the target does not hold. What a user with SQL and one store would write, through
   * the target's key index when it has one.
   */
  antiJoin?(source: string, target: string, field: string): Promise<number>;
  /**
   * SQLite only: migrates every document already in the baseline table by hand, the loop a user
   * writes: pages of 1000 read by key, each parsed, `transform`ed and written back with one
   * prepared `UPDATE ... WHERE id = ?`, a transaction per page. Returns the documents updated.
   */
  updateLoop?(transform: (doc: JsonObject) => JsonObject, poll: () => void): Promise<number>;
  /**
   * SQLite and DynamoDB: the migration written by hand with the same guarantees as `migrate apply`
   * (issue 17, eighth pass; DynamoDB's in dynamodb-safe-loop.ts: Scan pages, image items written
   * before the page's TransactWriteItems of conditional Puts, a checkpoint item): pages of
   * `pageSize` read by key, a before digest and an after digest of each document summed
   * order-independently (SHA-256 of its stored text on SQLite, of the text read and the text
   * written, as steward's `stored-text` checksums; of its canonical JSON on DynamoDB), `transform`,
   * `check` of the result, and per page one `BEGIN IMMEDIATE` transaction writing an image row of
   * the page's before texts, the conditional `UPDATE`s (on the version read) and a checkpoint row.
   * Throws on a refused write or a failed check (none are expected in the bench).
   */
  safeUpdateLoop?(job: SafeLoopJob): Promise<SafeLoopResult>;
  /**
   * SQLite and DynamoDB: rolls back what {@link safeUpdateLoop} wrote, by hand: per image row, the page's
   * current documents read, each one's digest (of its stored text on SQLite, canonical on
   * DynamoDB) compared with the after digest the image holds, the before texts written back on the condition that the text is still the one checked,
   * with a checkpoint, one transaction per image; then the census: the table's checksum
   * recomputed and compared with the apply's before sum. Throws on any mismatch.
   */
  safeRollback?(poll: () => void): Promise<SafeRollbackResult>;
  /**
   * SQLite and DynamoDB: the table's count, checksum (as the safe loop sums it) and documents per
   * `schemaVersion`, read outside what the bench measures to check what a loop did.
   */
  digestCensus?(): Promise<DigestCensus>;
  /** SQLite only: runs one SQL `UPDATE` statement over the whole baseline table; returns its changes. */
  updateSql?(sql: string): Promise<number>;
  drop(): Promise<void>;
  close(): Promise<void>;
}

/** What {@link Baseline.safeUpdateLoop} is asked to do. */
export interface SafeLoopJob {
  /** The migration's `up`, version included: what apply writes. */
  readonly transform: (doc: JsonObject) => JsonObject;
  /** Why a transformed document does not conform to the contract, or undefined when it does. */
  readonly check: (doc: JsonObject) => string | undefined;
  /** Documents per page: the bench's batch, as apply gets it. */
  readonly pageSize: number;
  readonly poll: () => void;
}

/**
 * The checksums a safe loop took as it went: sums modulo 2^48 of each digest's last 48 bits
 * (digest-sum.ts), so the last 12 hex digits of steward's checksum of the same kind.
 */
export interface SafeLoopResult {
  readonly docs: number;
  readonly pages: number;
  readonly beforeSum: number;
  readonly afterSum: number;
}

/** What the hand-written rollback restored, and whether its census matched the before sum. */
export interface SafeRollbackResult {
  readonly docs: number;
  readonly census: DigestCensus;
  readonly exact: boolean;
}

/** A table's documents counted, summed as the safe loop sums them, and counted per version. */
export interface DigestCensus {
  readonly count: number;
  readonly sum: number;
  readonly versions: Readonly<Record<string, number>>;
}

/** The table or collection the baselines use. */
export const baselineName = 'bench_tasks_baseline';

/** Opens the baseline for a store, checking the store answers (`store.unreachable` otherwise). */
export async function openBaseline(config: StoreConfig): Promise<Baseline> {
  switch (config.kind) {
    case 'sqlite': {
      const { openSqliteBaseline } = await import('./sqlite-baseline.js');
      return openSqliteBaseline(config);
    }
    case 'mongodb': {
      const { openMongoBaseline } = await import('./mongodb-baseline.js');
      return openMongoBaseline(config);
    }
    case 'dynamodb': {
      const { openDynamoBaseline } = await import('./dynamodb-baseline.js');
      return openDynamoBaseline(config);
    }
    default: {
      const never: never = config;
      throw new Error(`unknown store kind ${JSON.stringify(never)}`);
    }
  }
}
