import type { Document, Collection as DriverCollection } from 'mongodb';
import { type CollectionSpec, type DocKey, keyId } from '../store.js';
import { toBsonValue, toDocKey } from './ejson.js';

/**
 * Up to this many keys are looked up as one equality `find` each, sent together; more as one
 * `$in`. FerretDB 1.x on its SQLite backend pushes down only an equality on `_id`: an `$in`, even
 * of one key, reads and decodes the whole collection. Measured with the driver on 4,000 documents
 * (2026-11-23, a loaded machine): an `$in` of one key 303 ms, an equality 16 ms, eight equalities
 * at once 87 ms, an `$in` of four keys 138 ms. On MongoDB either uses the index, so a handful of
 * small queries costs little more than one.
 */
export const maxEqualityLookups = 8;

/**
 * Which of `keys` exist, as {@link keyId}s, reading only the key field of each document found:
 * the documents themselves are neither sent nor decoded.
 */
export async function existingKeyIds(
  collection: DriverCollection,
  spec: CollectionSpec,
  keys: readonly DocKey[],
): Promise<Set<string>> {
  const unique = [...new Map(keys.map((k) => [keyId(k), k])).values()];
  const found = new Set<string>();
  if (unique.length === 0) return found;
  const filters: Document[] =
    unique.length <= maxEqualityLookups
      ? unique.map((key) => ({ [spec.keyField]: toBsonValue(key) }))
      : [{ [spec.keyField]: { $in: unique.map(toBsonValue) } }];
  const projection = spec.keyField === '_id' ? { _id: 1 } : { _id: 0, [spec.keyField]: 1 };
  const answers = await Promise.all(
    filters.map((filter) =>
      // One more than can match: see `readByKey`.
      collection
        .find(filter, { projection })
        .batchSize(unique.length + 1)
        .toArray(),
    ),
  );
  for (const doc of answers.flat()) {
    const key = toDocKey(doc[spec.keyField]);
    if (key !== undefined) found.add(keyId(key));
  }
  return found;
}
