/**
 * How to reach a store. A union keyed on `kind`, so an editor completes the right connection
 * fields. Secrets are read from environment variables by the config file, never written in it.
 */
export type StoreConfig = SqliteStoreConfig | MongoStoreConfig | DynamoStoreConfig;

export interface SqliteStoreConfig {
  readonly kind: 'sqlite';
  /** Path of the database file, relative to the config file. Created when missing. */
  readonly file: string;
}

export interface MongoStoreConfig {
  readonly kind: 'mongodb';
  /** A MongoDB connection string, such as `mongodb://127.0.0.1:27017`. */
  readonly uri: string;
  readonly database: string;
  /** Milliseconds to wait for the server before reporting it unreachable. Default 5000. */
  readonly connectTimeoutMs?: number;
}

export interface DynamoStoreConfig {
  readonly kind: 'dynamodb';
  readonly region: string;
  /** Endpoint override, such as DynamoDB Local's `http://127.0.0.1:8000`. */
  readonly endpoint?: string;
  /** Explicit credentials; when absent the AWS SDK's default provider chain is used. */
  readonly credentials?: { readonly accessKeyId: string; readonly secretAccessKey: string };
  /** Prefix for tables steward creates itself (ledger, sandboxes). Default `steward_`. */
  readonly tablePrefix?: string;
  /** Attempts for throttled or unprocessed batch items before giving up. Default 8. */
  readonly maxAttempts?: number;
}
