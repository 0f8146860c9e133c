import { type Db, MongoClient } from 'mongodb';
import type {
  Collection,
  CollectionSpec,
  CopyOptions,
  CopyResult,
  Store,
  StoreCapabilities,
  StoreInfo,
} from '../store.js';
import type { MongoStoreConfig } from '../store-config.js';
import { storeTimeout } from '../store-timeouts.js';
import { CollectionRegistry } from './collection-registry.js';
import { copyCollection, ignoreCode } from './copy-collection.js';
import { MongoCollection, type MongoContext, maxBatchGet } from './mongodb-collection.js';
import { guarded, hasCode, hostsOf, type MongoTarget } from './mongodb-errors.js';
import { ScanCursors } from './scan-cursors.js';
import { SegmentBounds } from './segment-bounds.js';

/**
 * What MongoDB (and FerretDB) can do through the seam. Exact counts scan the collection in both,
 * so they are not cheap. Scans are ordered by `_id`. Batch sizes are steward's choice, well
 * under the server's limits (100,000 operations, 16 MB replies). FerretDB 1.x applies
 * conditional updates in two steps, so {@link openMongoStore} turns `atomicConditionalWrites`
 * off when `buildInfo` names it.
 */
export const mongoCapabilities: StoreCapabilities = {
  cheapExactCount: false,
  orderedScan: true,
  secondaryIndexes: true,
  maxBatchGet,
  maxBatchWrite: 1000,
  atomicConditionalWrites: true,
  defaultKeyField: '_id',
};

/**
 * Opens a MongoDB (or FerretDB) store on `config.database`. Connects eagerly, so a wrong host or
 * wrong credentials fail here, as `store.unreachable` or `store.auth`, within
 * `config.connectTimeoutMs` (default 5000). Afterwards a request that goes without an answer
 * for `config.requestTimeoutMs` (default 60000) fails with `store.timeout`, so a server that
 * stops answering mid-run ends the run instead of hanging it.
 */
export async function openMongoStore(config: MongoStoreConfig): Promise<Store> {
  const timeoutMs = storeTimeout(config, 'connectTimeoutMs');
  const requestTimeoutMs = storeTimeout(config, 'requestTimeoutMs');
  const target: MongoTarget = {
    hosts: hostsOf(config.uri),
    timeoutMs,
    requestTimeoutMs,
    ...(config.name === undefined ? {} : { store: config.name }),
  };
  const client = new MongoClient(config.uri, {
    serverSelectionTimeoutMS: timeoutMs,
    connectTimeoutMS: timeoutMs,
    // An idle socket while a request waits for its answer: the driver fails the request.
    socketTimeoutMS: requestTimeoutMs,
  });
  await guarded(target, async () => {
    await client.connect();
  }).catch(async (error: unknown) => {
    await client.close().catch(() => undefined);
    throw error;
  });
  const db = client.db(config.database);
  const context: MongoContext = {
    db,
    target,
    bounds: new SegmentBounds(),
    cursors: new ScanCursors(),
    registry: new CollectionRegistry(db),
    writeChunk: mongoCapabilities.maxBatchWrite,
    bulkChunk: Number.POSITIVE_INFINITY,
    writeMode: 'conditional',
  };
  const store = new MongoStore(client, context);
  const info = await store.ping().catch(async (error: unknown) => {
    await client.close().catch(() => undefined);
    throw error;
  });
  if (info.product === 'FerretDB') {
    // FerretDB 1.24 (SQLite backend) hangs, and stops answering everyone, on a bulk write that
    // updates more than about 100 existing documents; 50 per bulk write stays well clear of it.
    // A round still reads its documents once before and once after its bulk writes, not once per
    // 50: on FerretDB every such `find` reads the whole collection (issue 17, twelfth pass: 86
    // finds of 2,000 documents took 16 of apply's 81 s in the side-by-side scenario).
    context.bulkChunk = ferretDbWriteChunk;
    // Its conditional writes are not atomic and cost a scan each: filter by key, check on a read.
    context.writeMode = 'keyed';
    store.capabilities = {
      ...mongoCapabilities,
      atomicConditionalWrites: false,
      maxBatchWrite: ferretDbWriteChunk,
    };
  }
  return store;
}

/** Operations per bulk write on FerretDB (see openMongoStore). */
const ferretDbWriteChunk = 50;

/** A store on one MongoDB database. Owns its client; `close` ends it. */
class MongoStore implements Store {
  readonly kind = 'mongodb' as const;
  /** Set once by {@link openMongoStore}, from what `buildInfo` says the server is. */
  capabilities: StoreCapabilities = mongoCapabilities;
  private readonly db: Db;
  private readonly target: MongoTarget;

  constructor(
    private readonly client: MongoClient,
    private readonly context: MongoContext,
  ) {
    this.db = context.db;
    this.target = context.target;
  }

  collection(spec: CollectionSpec): Collection {
    return new MongoCollection(spec, this.context);
  }

  /** Creates the collection, and for a keyField other than `_id` a unique index on it, so keys stay unique. */
  ensureCollection(spec: CollectionSpec): Promise<void> {
    return guarded(this.target, async () => {
      await this.db.createCollection(spec.name).catch(ignoreCode(48));
      this.context.registry.remember(spec.name);
      if (spec.keyField === '_id') return;
      await this.db
        .collection(spec.name)
        .createIndex({ [spec.keyField]: 1 }, { unique: true, name: `${spec.keyField}_unique` })
        .catch((error: unknown) => {
          // 85/86: an equivalent index already exists under another name or options.
          if (!hasCode(error, 85, 86)) throw error;
        });
    });
  }

  dropCollection(spec: CollectionSpec): Promise<void> {
    return guarded(this.target, async () => {
      this.context.registry.forget(spec.name);
      await this.db.collection(spec.name).drop().catch(ignoreCode(26));
    });
  }

  listCollections(): Promise<string[]> {
    return guarded(this.target, async () => {
      const infos = await this.db.listCollections({}, { nameOnly: true }).toArray();
      return infos
        .map((info) => info.name)
        .filter((name) => !name.startsWith('system.'))
        .sort();
    });
  }

  copyCollection(source: CollectionSpec, target: CollectionSpec, options?: CopyOptions): Promise<CopyResult> {
    return guarded(this.target, async () => {
      await this.context.registry.assertExists(source.name);
      const result = await copyCollection(this.db, source, target, options);
      this.context.registry.remember(target.name);
      return result;
    });
  }

  /** FerretDB answers `buildInfo` with the MongoDB version it emulates and its own in `ferretdbVersion`. */
  ping(): Promise<StoreInfo> {
    return guarded(this.target, async () => {
      const info = await this.db.command({ buildInfo: 1 });
      if (typeof info.ferretdbVersion === 'string') {
        return { product: 'FerretDB', version: info.ferretdbVersion.replace(/^v/, '') };
      }
      return { product: 'MongoDB', version: String(info.version) };
    });
  }

  async close(): Promise<void> {
    await this.context.cursors.closeAll();
    await this.client.close();
  }
}
