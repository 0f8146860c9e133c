import { MongoClient } from 'mongodb';
import type { JsonObject } from '../../src/core/json.js';
import { StewardError } from '../../src/errors/steward-error.js';
import type { MongoStoreConfig } from '../../src/stores/store-config.js';
import { type Baseline, baselineName } from './baseline.js';

/**
 * The mongodb driver by hand: `insertMany` of the batch, unordered, into a collection with a
 * unique index on `id` (the guarantee steward's adapter gives a keyField other than `_id`), and a
 * cursor with batchSize 1000 for the scan.
 */
/** A connected driver client for a bench (`store.unreachable` when the server does not answer). */
export async function connectBenchMongo(config: MongoStoreConfig): Promise<MongoClient> {
  const timeout = config.connectTimeoutMs ?? 5000;
  const client = new MongoClient(config.uri, {
    serverSelectionTimeoutMS: timeout,
    connectTimeoutMS: timeout,
  });
  try {
    await client.connect();
    await client.db(config.database).command({ ping: 1 });
  } catch (error) {
    await client.close().catch(() => undefined);
    throw new StewardError(
      'store.unreachable',
      `MongoDB at ${config.uri} did not answer within ${timeout} ms (${(error as Error).message}). Start it, or set STEWARD_BENCH_MONGODB_URI.`,
    );
  }
  return client;
}

export async function openMongoBaseline(config: MongoStoreConfig): Promise<Baseline> {
  const client = await connectBenchMongo(config);
  const collection = client.db(config.database).collection(baselineName);
  return {
    async reset() {
      await collection.drop().catch(() => undefined);
      await collection.createIndex({ id: 1 }, { unique: true, name: 'id_unique' });
    },
    async write(docs) {
      // insertMany adds an `_id` to each object; the batch is thrown away afterwards anyway.
      await collection.insertMany(docs as JsonObject[], { ordered: false });
    },
    async scan(poll) {
      let n = 0;
      for await (const _doc of collection.find({}, { batchSize: 1000 })) {
        n++;
        if (n % 1000 === 0) poll();
      }
      return n;
    },
    async drop() {
      await collection.drop().catch(() => undefined);
    },
    async close() {
      await client.close();
    },
  };
}
