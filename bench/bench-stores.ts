import { fileURLToPath } from 'node:url';
import type { StoreKind } from '../src/stores/store.js';
import type { StoreConfig } from '../src/stores/store-config.js';

/** Where results go (git-ignored), and the SQLite files of runs under `tmp/`. */
export const resultsDir = fileURLToPath(new URL('./results/', import.meta.url));

/**
 * How the benchmark reaches each store. The baselines read the same settings as steward's own
 * adapters, so both sides of a ratio talk to the same server:
 * sqlite, a fresh file under `bench/results/tmp/`; mongodb, STEWARD_BENCH_MONGODB_URI (default a
 * local FerretDB on 27018); dynamodb, STEWARD_BENCH_DYNAMODB_ENDPOINT (default DynamoDB Local on
 * 18000, region us-east-1, credentials local/local; tables prefixed STEWARD_BENCH_DYNAMODB_PREFIX,
 * default `steward_bench_`, the baseline's table too, so runs with different prefixes never collide).
 */
export function benchStoreConfig(kind: StoreKind, runId: string): StoreConfig {
  switch (kind) {
    case 'sqlite':
      return { kind, file: `${resultsDir}tmp/${runId}.sqlite` };
    case 'mongodb':
      return {
        kind,
        uri: process.env.STEWARD_BENCH_MONGODB_URI ?? 'mongodb://127.0.0.1:27018/',
        database: 'steward_bench',
        connectTimeoutMs: 5000,
      };
    case 'dynamodb':
      return {
        kind,
        region: 'us-east-1',
        endpoint: process.env.STEWARD_BENCH_DYNAMODB_ENDPOINT ?? 'http://127.0.0.1:18000',
        credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
        tablePrefix: process.env.STEWARD_BENCH_DYNAMODB_PREFIX ?? 'steward_bench_',
      };
  }
}

/** Where a store config points, for messages and the result file (never a secret). */
export function describeTarget(config: StoreConfig): string {
  switch (config.kind) {
    case 'sqlite':
      return config.file;
    case 'mongodb':
      return `${config.uri.replace(/\/\/[^@/]*@/, '//***@')} db ${config.database}`;
    case 'dynamodb':
      return config.endpoint ?? `AWS ${config.region}`;
  }
}
