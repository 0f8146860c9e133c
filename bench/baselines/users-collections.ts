import { fileURLToPath } from 'node:url';
import { config as migrateMongoConfig, down as migrateMongoDown, up as migrateMongoUp } from 'migrate-mongo';
import { BSON, type Document } from 'mongodb';
import type { MongoStoreConfig } from '../../src/stores/store-config.js';
import { connectBenchMongo } from './mongodb-baseline.js';
import { userBatches } from './user-documents.js';

/** migrate-mongo's two ways of writing the migration, each a folder of one migration file. */
export type MigrateMongoVariant = 'bulk-write' | 'update-many';

/** How a collection compares with the documents it was loaded with. */
export interface Exactness {
  readonly documents: number;
  /** Equal as canonical Extended JSON, field order included: the bytes a reader gets back. */
  readonly byteIdentical: number;
  /** Different once field order is set aside: a value lost, changed or added (type included). */
  readonly dataLost: number;
  /** Loaded but gone, or there but never loaded. */
  readonly missing: number;
  readonly extra: number;
  /** The keys of the documents whose data was lost, in key order. */
  readonly lostKeys: readonly string[];
}

/** The driver side of the side-by-side bench: loads, snapshots and compares, and runs migrate-mongo. */
export interface UsersCollections {
  /** Drops `name` and inserts the run's `docs` user documents into it (`insertMany` of 500). */
  load(name: string, seed: string, docs: number): Promise<void>;
  /** Every document of `name` as canonical Extended JSON, by key. */
  snapshot(name: string): Promise<Map<string, string>>;
  /** Documents of `name` whose `schemaVersion` is `version`. */
  countAtVersion(name: string, version: number): Promise<number>;
  /** Compares `name` now with a snapshot taken before. */
  compare(name: string, before: ReadonlyMap<string, string>): Promise<Exactness>;
  /** Runs migrate-mongo's `up` or `down` of `variant` over `name`, as its library entry points do. */
  migrateMongo(
    direction: 'up' | 'down',
    variant: MigrateMongoVariant,
    name: string,
    batch: number,
  ): Promise<void>;
  drop(name: string): Promise<void>;
  close(): Promise<void>;
}

const migrationsRoot = fileURLToPath(new URL('./migrate-mongo/', import.meta.url));

/** Connects to the MongoDB-wire store (`store.unreachable` when it does not answer). */
export async function openUsersCollections(config: MongoStoreConfig): Promise<UsersCollections> {
  const client = await connectBenchMongo(config);
  const db = client.db(config.database);
  const drop = (name: string) =>
    db
      .collection(name)
      .drop()
      .then(
        () => undefined,
        () => undefined,
      );
  const snapshot = async (name: string) => {
    const out = new Map<string, string>();
    for await (const doc of db.collection(name).find({}, { batchSize: 1000 }))
      out.set(String(doc._id), BSON.EJSON.stringify(doc, { relaxed: false }));
    return out;
  };
  return {
    async load(name, seed, docs) {
      await drop(name);
      await db.createCollection(name);
      for (const batch of userBatches(seed, docs, 500)) await db.collection(name).insertMany(batch);
    },
    snapshot,
    countAtVersion: (name, version) => db.collection(name).countDocuments({ schemaVersion: version }),
    async compare(name, before) {
      return exactness(before, await snapshot(name));
    },
    async migrateMongo(direction, variant, name, batch) {
      process.env.STEWARD_BENCH_MM_COLLECTION = name;
      process.env.STEWARD_BENCH_MM_BATCH = String(batch);
      migrateMongoConfig.set({
        mongodb: { url: config.uri, databaseName: config.database, options: {} },
        migrationsDir: `${migrationsRoot}${variant}`,
        changelogCollectionName: `${name}_changelog`,
        migrationFileExtension: '.ts',
        useFileHash: false,
        moduleSystem: 'esm',
      });
      const done = await (direction === 'up' ? migrateMongoUp : migrateMongoDown)(db, client);
      if (done.length !== 1)
        throw new Error(`migrate-mongo ${direction} (${variant}) ran ${done.length} migrations, expected 1`);
    },
    async drop(name) {
      await drop(name);
      await drop(`${name}_changelog`);
    },
    close: () => client.close(),
  };
}

/** Compares two snapshots document by document. Pure. */
export function exactness(
  before: ReadonlyMap<string, string>,
  after: ReadonlyMap<string, string>,
): Exactness {
  let byteIdentical = 0;
  let dataLost = 0;
  let missing = 0;
  const lostKeys: string[] = [];
  for (const [key, text] of before) {
    const now = after.get(key);
    if (now === undefined) missing++;
    else if (now === text) byteIdentical++;
    else if (fieldOrderFree(now) !== fieldOrderFree(text)) {
      dataLost++;
      lostKeys.push(key);
    }
  }
  const extra = [...after.keys()].filter((key) => !before.has(key)).length;
  return { documents: after.size, byteIdentical, dataLost, missing, extra, lostKeys: lostKeys.sort() };
}

/** Canonical Extended JSON text with every object's fields sorted (arrays keep their order). */
function fieldOrderFree(text: string): string {
  const sort = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(sort);
    if (value === null || typeof value !== 'object') return value;
    const object = value as Document;
    return Object.fromEntries(
      Object.keys(object)
        .sort()
        .map((k) => [k, sort(object[k])]),
    );
  };
  return JSON.stringify(sort(JSON.parse(text)));
}
