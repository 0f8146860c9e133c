import type { CollectionSpec, Store } from '../../stores/store.js';

/** Seed of the dry run's sample: fixed, so two dry runs of a plan examine the same documents. */
export const sandboxSeed = 'steward.dry-run';

/**
 * The sandbox of a collection: `<prefix>sandbox_<collection>` in the collection's own store, keyed
 * like it. A whole collection of its own (on DynamoDB a table), never a part of a user's table.
 */
export function sandboxSpec(prefix: string, collection: string, source: CollectionSpec): CollectionSpec {
  return { name: `${prefix}sandbox_${collection}`, keyField: source.keyField };
}

/**
 * The before-images of a sandbox's pass, beside it (`<sandbox>_images`), keyed like the ledger's
 * backups: the pass writes through apply's batch write, which saves an image per batch.
 */
export function sandboxImagesSpec(
  sandbox: CollectionSpec,
  store: Pick<Store, 'capabilities'>,
): CollectionSpec {
  return { name: `${sandbox.name}_images`, keyField: store.capabilities.defaultKeyField };
}

/**
 * Copies a collection into its sandbox: all of it, or a deterministic sample of at least
 * `minDocuments` chosen by key hash. The first fraction comes from the count estimate, with a
 * margin; if the hash draws fewer documents than asked, the copy is redone with a larger fraction,
 * up to the whole collection.
 */
export async function copyIntoSandbox(
  store: Store,
  source: CollectionSpec,
  sandbox: CollectionSpec,
  minDocuments: number | undefined,
): Promise<{ sourceDocuments: number; copied: number; fraction: number }> {
  const sourceDocuments = await store.collection(source).count({ estimate: true });
  let fraction =
    minDocuments === undefined || sourceDocuments <= minDocuments
      ? 1
      : (minDocuments / sourceDocuments) * 1.2;
  for (;;) {
    fraction = Math.min(1, fraction);
    const { copied } = await store.copyCollection(
      source,
      sandbox,
      fraction < 1 ? { fraction, seed: sandboxSeed } : {},
    );
    if (fraction === 1 || copied >= (minDocuments ?? 0)) return { sourceDocuments, copied, fraction };
    fraction *= Math.max(1.5, ((minDocuments ?? 0) / Math.max(copied, 1)) * 1.2);
  }
}
