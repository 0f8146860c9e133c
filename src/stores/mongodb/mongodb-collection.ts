import type { Db } from 'mongodb';
import type { ParsedFilter } from '../../core/filter.js';
import type { JsonObject } from '../../core/json.js';
import { indexConflict, sameIndex } from '../index-definition.js';
import type {
  Collection,
  CollectionSpec,
  DocKey,
  IndexDefinition,
  IndexInfo,
  Page,
  ScanOptions,
  WriteOp,
  WriteResult,
} from '../store.js';
import type { CollectionRegistry } from './collection-registry.js';
import { notFound } from './collection-registry.js';
import { existingKeyIds } from './existing-keys.js';
import { toMongoFilter } from './filter-to-mongo.js';
import { guarded, hasCode, type MongoTarget } from './mongodb-errors.js';
import { scanPage } from './mongodb-scan.js';
import { readByKey, writeOps } from './mongodb-write.js';
import type { ScanCursors } from './scan-cursors.js';
import type { SegmentBounds } from './segment-bounds.js';
import type { WriteMode } from './write-plan.js';

/** Keys one getMany round trip fetches; larger requests are split. */
export const maxBatchGet = 1000;

/** What the collections of one store share: the database, the target for messages, caches. */
export interface MongoContext {
  readonly db: Db;
  readonly target: MongoTarget;
  readonly bounds: SegmentBounds;
  readonly cursors: ScanCursors;
  readonly registry: CollectionRegistry;
  /**
   * Operations per `writeOps` call: larger write() calls are sent in order in parts of this size,
   * each read at most once before its bulk writes and once after (per round of distinct keys).
   */
  writeChunk: number;
  /**
   * Operations per bulk write inside a round (FerretDB 1.x hangs on large ones); unbounded where
   * the driver splits bulk writes itself.
   */
  bulkChunk: number;
  /** Where expectations are checked: `keyed` on FerretDB 1.x (see `WriteMode`). */
  writeMode: WriteMode;
}

/**
 * One MongoDB collection behind the store seam. A handle: creating it does no I/O. Every method
 * maps an unreachable server to `store.unreachable` and a missing collection to
 * `collection.not-found`.
 */
export class MongoCollection implements Collection {
  constructor(
    readonly spec: CollectionSpec,
    private readonly context: MongoContext,
  ) {}

  private get native() {
    return this.context.db.collection(this.spec.name);
  }

  scan(options: ScanOptions = {}): Promise<Page> {
    return this.run(async () => {
      const page = await scanPage(
        this.native,
        this.spec.keyField,
        this.context.bounds,
        this.context.cursors,
        options,
      );
      if (page.docs.length === 0) await this.context.registry.assertStillExists(this.spec.name);
      return page;
    });
  }

  getMany(keys: readonly DocKey[]): Promise<Map<string, JsonObject>> {
    return this.run(async () => {
      const found = new Map<string, JsonObject>();
      for (let start = 0; start < keys.length; start += maxBatchGet) {
        const part = await readByKey(this.native, this.spec, keys.slice(start, start + maxBatchGet));
        for (const [id, doc] of part) found.set(id, doc);
      }
      if (found.size === 0) await this.context.registry.assertStillExists(this.spec.name);
      return found;
    });
  }

  existingKeys(keys: readonly DocKey[]): Promise<Set<string>> {
    return this.run(async () => {
      const found = new Set<string>();
      for (let start = 0; start < keys.length; start += maxBatchGet) {
        const part = await existingKeyIds(this.native, this.spec, keys.slice(start, start + maxBatchGet));
        for (const id of part) found.add(id);
      }
      if (found.size === 0) await this.context.registry.assertStillExists(this.spec.name);
      return found;
    });
  }

  write(ops: readonly WriteOp[]): Promise<WriteResult[]> {
    return this.run(async () => {
      await this.context.registry.assertExists(this.spec.name);
      const results: WriteResult[] = [];
      for (let start = 0; start < ops.length; start += this.context.writeChunk) {
        results.push(
          ...(await writeOps(
            this.native,
            this.spec,
            ops.slice(start, start + this.context.writeChunk),
            this.context.writeMode,
            this.context.bulkChunk,
          )),
        );
      }
      return results;
    });
  }

  /**
   * `estimate` without a filter reads the collection's metadata count (`estimatedDocumentCount`,
   * which FerretDB 1.24 answers too); everything else is an exact `countDocuments`.
   */
  count(options: { filter?: ParsedFilter; estimate?: boolean } = {}): Promise<number> {
    return this.run(async () => {
      const unfiltered = !options.filter || options.filter.length === 0;
      const n =
        options.estimate && unfiltered
          ? await this.native.estimatedDocumentCount()
          : await this.native.countDocuments(toMongoFilter(options.filter));
      if (n === 0) await this.context.registry.assertStillExists(this.spec.name);
      return n;
    });
  }

  /** Indexes with their fields in key order; `_id_` is unique though MongoDB does not flag it. */
  listIndexes(): Promise<IndexInfo[]> {
    return this.run(async () => {
      const indexes = await this.native
        .listIndexes()
        .toArray()
        .catch((error: unknown) => {
          throw hasCode(error, 26) ? notFound(this.spec.name, this.context.db.databaseName) : error;
        });
      // A collection always has `_id_`; mongo-java-server lists none, without an error, for a
      // collection that does not exist.
      if (indexes.length === 0) await this.context.registry.assertStillExists(this.spec.name);
      return indexes.map((index) => ({
        name: String(index.name),
        fields: Object.keys(index.key ?? {}),
        unique: index.unique === true || index.name === '_id_',
      }));
    });
  }

  /**
   * The driver's createIndex, ascending on each field. Checked by name first, so creating the same
   * index again is a no-op and a name taken by another definition is `input.invalid` on MongoDB
   * and FerretDB alike (their own errors for it differ).
   */
  createIndex(index: IndexDefinition): Promise<void> {
    return this.run(async () => {
      await this.context.registry.assertStillExists(this.spec.name);
      const existing = (await this.listIndexes()).find((i) => i.name === index.name);
      if (existing && sameIndex(existing, index)) return;
      if (existing) throw indexConflict(this.spec, existing, index);
      const keys = Object.fromEntries(index.fields.map((field) => [field, 1 as const]));
      await this.native.createIndex(keys, { name: index.name, unique: index.unique ?? false });
    });
  }

  /** Drops an index by name; a missing index (code 27) is not an error, a missing collection is. */
  dropIndex(name: string): Promise<void> {
    return this.run(async () => {
      await this.context.registry.assertStillExists(this.spec.name);
      await this.native.dropIndex(name).catch((error: unknown) => {
        if (!hasCode(error, 27) && !/index not found/i.test(String((error as Error)?.message))) throw error;
      });
    });
  }

  private run<T>(work: () => Promise<T>): Promise<T> {
    return guarded(this.context.target, work);
  }
}
