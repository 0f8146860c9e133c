import { scanPages } from '../../stores/scan-pages.js';
import { type Collection, docKey } from '../../stores/store.js';
import type { KnownKeys } from './known-keys.js';
import { type KeyType, keyTypeOf, keyTypeSample } from './target-key-types.js';

/**
 * Keys per page of the preload. On DynamoDB a request costs steward about 1 ms of CPU whatever it
 * carries, so fewer, larger pages; but a keys-only page still reads whole items there, and past
 * about 1 MB read DynamoDB Local works harder: 20,000 keys of 100-byte-plus items in pages of
 * 1000 cost steward 50-90 ms and the server 210-250 ms; of 2500, 35-50 and 210 ms; of 5000, 30
 * and 260 ms; of 10,000, 30 and 400-470 ms (issue 17). SQLite and MongoDB hold at most this many
 * keys in memory at once.
 */
export const preloadPageKeys = 2500;

/**
 * Fills `known` with every key of a small target before the scan, when that costs less than
 * looking the keys up batch by batch: the target fits in half of what `known` holds (so it is not
 * forgotten when later keys come), and the source is at least four times larger (so most target
 * keys would be looked up anyway). One read of the target then replaces most lookups: on a store
 * that reads a whole collection for any `$in` (FerretDB 1.x), the difference between a scan at the
 * speed of a plain read and one at half of it. Missing keys are still looked up in every batch, so
 * an orphan is never decided from memory; estimates only choose the way, never the result.
 * The read is keys-only: only the keys are kept, so the documents are neither sent nor parsed.
 *
 * With `types`, also gathers the types of the first {@link keyTypeSample} keys read, the ones
 * `targetKeyTypes` reads in a page of its own (on DynamoDB a Scan request spared; issue 17).
 */
export async function preloadTargets(
  source: Collection,
  target: Collection,
  known: KnownKeys,
  types?: Set<KeyType>,
): Promise<number> {
  const targets = await target.count({ estimate: true });
  if (targets === 0 || targets > known.capacity / 2) return 0;
  if ((await source.count({ estimate: true })) < 4 * targets) return 0;
  let loaded = 0;
  let read = 0;
  for await (const page of scanPages(target, { limit: preloadPageKeys, keysOnly: true })) {
    for (const doc of page.docs) {
      const key = docKey(doc, target.spec);
      if (key !== undefined) {
        known.add(key);
        loaded++;
        if (types && read < keyTypeSample) types.add(keyTypeOf(key));
      }
      read++;
    }
  }
  return loaded;
}
