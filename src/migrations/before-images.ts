import { isJsonObject, type JsonObject, type Scalar } from '../core/json.js';
import { storeBeforeImages } from '../ledger/before-images.js';
import { type Collection, type DocKey, isDocKey, keyId } from '../stores/store.js';

/**
 * A before-image of one document, kept in the ledger's `backups` collection. Apply saves the
 * originals of the documents it writes per batch (`batch-images.ts`); one document gets an image
 * of its own only in the rarer cases:
 * - a marker (`doc: null`): the document was already at the target version when apply reached
 *   it, so rollback leaves it there and the census does not count it against the rollback;
 * - a restore rollback could not do: a copy of the batch entry, so the census finds the document
 *   already reported instead of counting it again;
 * - the content a restore overwrote (migration `<id>#rollback`), so the rollback loses nothing.
 */
export interface MigrationBeforeImage {
  readonly migration: string;
  readonly attempt: number;
  /** steward's name of the collection. */
  readonly collection: string;
  readonly key: DocKey;
  /** The whole document before apply changed it; null for a marker (see above). */
  readonly doc: JsonObject | null;
  /**
   * The version field's value apply wrote (null when absent): rollback restores the document only
   * while it still carries it, so a document someone moved on since is reported, not overwritten.
   */
  readonly writtenVersion: Scalar;
  /** As in a batch image's entry (`ImageEntry.writtenDigest`); absent otherwise. */
  readonly writtenDigest?: string;
  readonly savedAt: string;
}

/**
 * The key of a document's before-image in the backups collection. The migration id, attempt and
 * collection name cannot contain `|`; the document's key id comes last after `d|` (batch images
 * have `b|` there), so keys never collide.
 */
export function beforeImageId(migration: string, attempt: number, collection: string, key: DocKey): string {
  return `mig|${migration}|${attempt}|${collection}|d|${keyId(key)}`;
}

/**
 * Saves images: as upserts (`latest`) or insert-only (`first`, an image already saved is kept).
 * Throws `store.failed` when the store refuses one: a document must never be changed without its
 * before-image, so the caller writes nothing of the batch.
 */
export async function saveBeforeImages(
  backups: Collection,
  images: readonly MigrationBeforeImage[],
  keep: 'latest' | 'first' = 'latest',
): Promise<void> {
  const entries = images.map((image) => ({
    id: beforeImageId(image.migration, image.attempt, image.collection, image.key),
    collection: image.collection,
    key: image.key,
    image: image as unknown as JsonObject,
  }));
  await storeBeforeImages(backups, entries, keep);
}

/** The saved images of these keys of one collection, by `keyId` of the document key. */
export async function readBeforeImages(
  backups: Collection,
  of: { migration: string; attempt: number; collection: string },
  keys: readonly DocKey[],
): Promise<Map<string, MigrationBeforeImage>> {
  if (keys.length === 0) return new Map();
  const ids = keys.map((key) => beforeImageId(of.migration, of.attempt, of.collection, key));
  return beforeImagesIn(await backups.getMany(ids), of, keys);
}

/**
 * The saved images of these keys among documents of the backups collection read already (by a
 * `getMany` that fetched other documents in the same round trip), by `keyId` of the document key.
 */
export function beforeImagesIn(
  found: ReadonlyMap<string, JsonObject>,
  of: { migration: string; attempt: number; collection: string },
  keys: readonly DocKey[],
): Map<string, MigrationBeforeImage> {
  const out = new Map<string, MigrationBeforeImage>();
  const ids = keys.map((key) => beforeImageId(of.migration, of.attempt, of.collection, key));
  for (const [i, key] of keys.entries()) {
    const image = asImage(found.get(keyId(ids[i]!)));
    if (image) out.set(keyId(key), image);
  }
  return out;
}

function asImage(doc: JsonObject | undefined): MigrationBeforeImage | undefined {
  if (!doc || typeof doc.migration !== 'string' || typeof doc.collection !== 'string') return undefined;
  if (!isDocKey(doc.key) || (doc.doc !== null && !isJsonObject(doc.doc))) return undefined;
  return doc as unknown as MigrationBeforeImage;
}
