/**
 * The stores tests run against, chosen by STEWARD_TEST_STORES (comma separated; default all
 * three). Each store is real: a SQLite file, FerretDB or MongoDB at STEWARD_TEST_MONGODB_URI,
 * DynamoDB Local at STEWARD_TEST_DYNAMODB_ENDPOINT. `npm test` starts the servers and sets both.
 * A store that cannot be reached fails the test: nothing is ever skipped silently.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '../../src/stores/open-store.js';
import type { CollectionSpec, Store, StoreKind } from '../../src/stores/store.js';
import type { StoreConfig } from '../../src/stores/store-config.js';

export const allKinds: StoreKind[] = ['sqlite', 'mongodb', 'dynamodb'];

/** The store kinds selected for this run. */
export function selectedKinds(): StoreKind[] {
  const raw = process.env.STEWARD_TEST_STORES;
  if (!raw) return allKinds;
  const kinds = raw.split(',').map((s) => s.trim()) as StoreKind[];
  for (const kind of kinds) {
    if (!allKinds.includes(kind)) throw new Error(`STEWARD_TEST_STORES names unknown store "${kind}"`);
  }
  return kinds;
}

/** A fresh, isolated store of the given kind and a function that removes what the test made. */
export interface TestStore {
  readonly store: Store;
  readonly config: StoreConfig;
  /** A collection spec with a run-unique name; the right key field for the store. */
  spec(name: string): CollectionSpec;
  cleanup(): Promise<void>;
}

/** Connection settings for a test store of this kind, isolated by a unique name. */
export function testStoreConfig(kind: StoreKind, unique = randomBytes(4).toString('hex')): StoreConfig {
  switch (kind) {
    case 'sqlite': {
      const dir = mkdtempSync(join(tmpdir(), 'steward-test-'));
      return { kind, file: join(dir, 'steward.sqlite') };
    }
    case 'mongodb':
      return {
        kind,
        uri: requireEnv('STEWARD_TEST_MONGODB_URI'),
        database: `steward_test_${unique}`,
        connectTimeoutMs: 5000,
      };
    case 'dynamodb':
      return {
        kind,
        region: 'us-east-1',
        endpoint: requireEnv('STEWARD_TEST_DYNAMODB_ENDPOINT'),
        credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
        tablePrefix: `steward_${unique}_`,
      };
  }
}

export async function openTestStore(kind: StoreKind): Promise<TestStore> {
  const unique = randomBytes(4).toString('hex');
  const config = testStoreConfig(kind, unique);
  const store = await openStore(config);
  const made: CollectionSpec[] = [];
  return {
    store,
    config,
    spec(name) {
      const spec = { name: `t${unique}_${name}`, keyField: kind === 'mongodb' ? '_id' : 'id' };
      made.push(spec);
      return spec;
    },
    async cleanup() {
      // The store is closed even when a drop fails: an open client would keep the test file's
      // process alive until the runner's timeout instead of letting the failure show.
      try {
        for (const spec of made) await store.dropCollection(spec);
      } finally {
        await store.close();
      }
      if (config.kind === 'sqlite') rmSync(join(config.file, '..'), { recursive: true, force: true });
      if (config.kind === 'mongodb') await dropMongoDatabase(config.uri, config.database);
    },
  };
}

/** The seam has no "drop database" (steward never needs one); tests clean up their own. */
async function dropMongoDatabase(uri: string, database: string): Promise<void> {
  const { MongoClient } = await import('mongodb');
  const client = new MongoClient(uri, { serverSelectionTimeoutMS: 5000 });
  try {
    await client.db(database).dropDatabase();
  } finally {
    await client.close();
  }
}

function requireEnv(name: string): string {
  const value = process.env[name];
  if (!value) {
    throw new Error(`${name} is not set: run the suite with "npm test", which starts the test servers`);
  }
  return value;
}
