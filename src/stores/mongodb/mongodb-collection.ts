import type { Db } from 'mongodb';
import type { ParsedFilter } from '../../core/filter.js';
import type { JsonObject } from '../../core/json.js';
import type {
  Collection,
  CollectionSpec,
  DocKey,
  IndexInfo,
  Page,
  ScanOptions,
  WriteOp,
  WriteResult,
} from '../store.js';
import { ignoreCode } from './copy-collection.js';
import { toMongoFilter } from './filter-to-mongo.js';
import { guarded, type MongoTarget } from './mongodb-errors.js';
import { scanPage } from './mongodb-scan.js';
import { readByKey, writeOps } from './mongodb-write.js';
import type { SegmentBounds } from './segment-bounds.js';

/** Keys one getMany round trip fetches; larger requests are split. */
export const maxBatchGet = 1000;

/**
 * One MongoDB collection behind the store seam. A handle: creating it does no I/O, and every
 * method maps an unreachable server to `store.unreachable`.
 */
export class MongoCollection implements Collection {
  constructor(
    readonly spec: CollectionSpec,
    private readonly db: Db,
    private readonly target: MongoTarget,
    private readonly bounds: SegmentBounds,
  ) {}

  private get native() {
    return this.db.collection(this.spec.name);
  }

  scan(options: ScanOptions = {}): Promise<Page> {
    return guarded(this.target, () => scanPage(this.native, this.bounds, options));
  }

  getMany(keys: readonly DocKey[]): Promise<Map<string, JsonObject>> {
    return guarded(this.target, async () => {
      const found = new Map<string, JsonObject>();
      for (let start = 0; start < keys.length; start += maxBatchGet) {
        const part = await readByKey(this.native, this.spec, keys.slice(start, start + maxBatchGet));
        for (const [id, doc] of part) found.set(id, doc);
      }
      return found;
    });
  }

  write(ops: readonly WriteOp[]): Promise<WriteResult[]> {
    return guarded(this.target, () => writeOps(this.native, this.spec, ops));
  }

  /**
   * `estimate` without a filter reads the collection's metadata count (`estimatedDocumentCount`,
   * which FerretDB 1.24 answers too); everything else is an exact `countDocuments`.
   */
  count(options: { filter?: ParsedFilter; estimate?: boolean } = {}): Promise<number> {
    return guarded(this.target, () => {
      if (options.estimate && (!options.filter || options.filter.length === 0)) {
        return this.native.estimatedDocumentCount();
      }
      return this.native.countDocuments(toMongoFilter(options.filter));
    });
  }

  /** Indexes with their fields in key order; the `_id_` index is unique though MongoDB does not flag it. A missing collection has none. */
  listIndexes(): Promise<IndexInfo[]> {
    return guarded(this.target, async () => {
      const indexes = (await this.native.listIndexes().toArray().catch(ignoreCode(26))) ?? [];
      return indexes.map((index) => ({
        name: String(index.name),
        fields: Object.keys(index.key ?? {}),
        unique: index.unique === true || index.name === '_id_',
      }));
    });
  }
}
