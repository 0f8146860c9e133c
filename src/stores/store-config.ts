/**
 * How to reach a store. A union keyed on `kind`, so an editor completes the right connection
 * fields. Secrets are read from environment variables by the config file, never written in it.
 * Every wait on a store is bounded: the timeouts below have defaults (see `store-timeouts.ts`),
 * and a store that does not answer within them fails with exit code 3.
 */
export type StoreConfig = SqliteStoreConfig | MongoStoreConfig | DynamoStoreConfig;

/** Fields every store kind shares. */
interface StoreConfigBase {
  /**
   * steward's name for the store (its key under `stores`), named in error messages. The config
   * loader fills it in; a config file does not set it.
   */
  readonly name?: string;
}

export interface SqliteStoreConfig extends StoreConfigBase {
  readonly kind: 'sqlite';
  /** Path of the database file, relative to the config file. Created when missing. */
  readonly file: string;
  /**
   * Milliseconds a writer waits for another process's write to finish before giving up with
   * exit code 3. Default 10000.
   */
  readonly busyTimeoutMs?: number;
}

export interface MongoStoreConfig extends StoreConfigBase {
  readonly kind: 'mongodb';
  /** A MongoDB connection string, such as `mongodb://127.0.0.1:27017`. */
  readonly uri: string;
  readonly database: string;
  /** Milliseconds to wait for the server to accept and answer a connection. Default 5000. */
  readonly connectTimeoutMs?: number;
  /** Milliseconds any one request may go without an answer. Default 60000. */
  readonly requestTimeoutMs?: number;
}

export interface DynamoStoreConfig extends StoreConfigBase {
  readonly kind: 'dynamodb';
  readonly region: string;
  /** Endpoint override, such as DynamoDB Local's `http://127.0.0.1:8000`. */
  readonly endpoint?: string;
  /** Explicit credentials; when absent the AWS SDK's default provider chain is used. */
  readonly credentials?: { readonly accessKeyId: string; readonly secretAccessKey: string };
  /**
   * Put in front of the name of every table steward uses in this store: collections' tables
   * (also an explicitly named `dynamodb.table`), the ledger's and the dry runs' sandboxes. Keeps
   * several steward setups (test runs, environments) apart in one account. Default none.
   */
  readonly tablePrefix?: string;
  /** Attempts for throttled or unprocessed batch items before giving up. Default 8. */
  readonly maxAttempts?: number;
  /**
   * TransactWriteItems calls (conditional writes of up to 100 documents) one store sends at once,
   * 1 to 25. Default: 10 against AWS (no endpoint, or an `amazonaws.com` or `api.aws` one), 1
   * against any other endpoint, since DynamoDB Local runs transactions one at a time and ones sent
   * together cost it more.
   */
  readonly transactionsInFlight?: number;
  /** Milliseconds to wait for a connection to the endpoint. Default 3000. */
  readonly connectTimeoutMs?: number;
  /**
   * Milliseconds one attempt of a request may take; the SDK makes up to 3 attempts of a request
   * that timed out before steward gives up. Default 10000.
   */
  readonly requestTimeoutMs?: number;
}
