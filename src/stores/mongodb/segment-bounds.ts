import type { Collection as DriverCollection } from 'mongodb';

/** A split point of a collection, or null when it falls past the last document. */
export type Bound = { readonly value: unknown } | null;

/**
 * Splits a collection into N `_id` ranges of about equal size, for segmented scans.
 *
 * Hashing keys into segments cannot be written as a query both MongoDB and FerretDB run, so
 * segment i of N is the `_id` range [bound i-1, bound i): bound k is the `_id` at position
 * k*count/N in ascending order (count from `estimatedDocumentCount`, read with skip on the `_id`
 * index). Any set of bounds covers every document exactly once, as long as all N workers use the
 * same one: for a fixed collection content they compute the same bounds; workers sharing a Store
 * share them through this cache even while the content changes; and a resumed segment reads its
 * bounds from its token, never again from the collection. Only the balance between segments
 * depends on the content. Bounds are recomputed after `ttlMs`.
 */
export class SegmentBounds {
  private readonly cache = new Map<string, { readonly at: number; readonly bounds: Promise<Bound[]> }>();

  constructor(private readonly ttlMs = 60_000) {}

  /** The N-1 bounds of `total` segments of a collection. */
  get(collection: DriverCollection, total: number): Promise<Bound[]> {
    const id = `${collection.collectionName}\u0000${total}`;
    const cached = this.cache.get(id);
    if (cached && Date.now() - cached.at < this.ttlMs) return cached.bounds;
    const bounds = computeBounds(collection, total);
    this.cache.set(id, { at: Date.now(), bounds });
    bounds.catch(() => this.cache.delete(id));
    return bounds;
  }
}

async function computeBounds(collection: DriverCollection, total: number): Promise<Bound[]> {
  const count = await collection.estimatedDocumentCount();
  const positions = Array.from({ length: total - 1 }, (_, k) => Math.floor(((k + 1) * count) / total));
  return Promise.all(
    positions.map(async (skip) => {
      const [doc] = await collection
        .find({}, { projection: { _id: 1 } })
        .sort({ _id: 1 })
        .skip(skip)
        .limit(1)
        .toArray();
      return doc ? { value: doc._id } : null;
    }),
  );
}
