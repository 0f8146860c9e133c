import { keyFraction } from '../../core/hash.js';
import type { JsonObject } from '../../core/json.js';
import { scanPages } from '../../stores/scan-pages.js';
import {
  type Collection,
  type DocKey,
  docKey,
  keyId,
  type Page,
  type ScanOptions,
} from '../../stores/store.js';

/**
 * True when a document belongs to the canary: its key hashes, seeded by the plan hash, below
 * `percent`. The same documents on every run of the same plan, so a resumed apply and the gates
 * agree on what the canary was; another plan draws another canary.
 */
export function inCanary(key: DocKey, planHash: string, percent: number): boolean {
  return percent >= 100 || keyFraction(keyId(key), planHash) < percent / 100;
}

/**
 * A read-only view of a collection showing only its canary documents, for running the
 * validators on the canary alone (they take a Collection). Writes are refused: nothing validates
 * by writing. `count` scans, so validators use it on small canaries only.
 */
export function canaryView(collection: Collection, planHash: string, percent: number): Collection {
  const keep = (doc: JsonObject) => {
    const key = docKey(doc, collection.spec);
    return key !== undefined && inCanary(key, planHash, percent);
  };
  return {
    spec: collection.spec,
    // Options pass through as they are, keysOnly too: `keep` decides by the key alone.
    async scan(options?: ScanOptions): Promise<Page> {
      const page = await collection.scan(options);
      return { docs: page.docs.filter(keep), next: page.next };
    },
    getMany: (keys) => collection.getMany(keys.filter((k) => inCanary(k, planHash, percent))),
    existingKeys: (keys) => collection.existingKeys(keys.filter((k) => inCanary(k, planHash, percent))),
    async write() {
      throw new Error('the canary view is read-only');
    },
    async createIndex() {
      throw new Error('the canary view is read-only');
    },
    async dropIndex() {
      throw new Error('the canary view is read-only');
    },
    async count(options) {
      let n = 0;
      const filter = options?.filter;
      for await (const page of scanPages(collection, { limit: 1000, ...(filter ? { filter } : {}) }))
        n += page.docs.filter(keep).length;
      return n;
    },
    listIndexes: () => collection.listIndexes(),
  };
}
