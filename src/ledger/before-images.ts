import type { JsonObject } from '../core/json.js';
import { StewardError } from '../errors/steward-error.js';
import type { Collection, DocKey, WriteOp } from '../stores/store.js';

/**
 * One before-image for the ledger's `backups` collection (`ledger.openCollection('backups')`): a
 * document as it was before steward changed it, under an id the capability that changes it makes,
 * with whatever that capability needs to put it back. Integrity repairs, derived writes and
 * migrations save theirs through {@link storeBeforeImages}, so an image is kept and a failure
 * reported the same way whoever made it.
 */
export interface BeforeImageEntry {
  /** The image's key in the backups collection: one per incident and action, per document... */
  readonly id: string;
  /** steward's name of the changed document's collection, for the error message. */
  readonly collection: string;
  /** The changed document's key, for the error message. */
  readonly key: DocKey | undefined;
  /** What is stored (the key field is added): the document as it was, and the capability's fields. */
  readonly image: JsonObject;
}

/**
 * Saves before-images in one bulk write, before the change they guard: insert-only (`first`: an
 * image already saved under the id is kept, so a retry keeps the document as it really was, not as
 * a half-done earlier run left it) or as upserts (`latest`). Throws `store.failed` when the store
 * refuses one, because a document must never change without its before-image: the caller writes
 * nothing of the batch.
 */
export async function storeBeforeImages(
  backups: Collection,
  entries: readonly BeforeImageEntry[],
  keep: 'first' | 'latest' = 'first',
): Promise<void> {
  if (entries.length === 0) return;
  const ops: WriteOp[] = entries.map((entry) => {
    const doc = { ...entry.image, [backups.spec.keyField]: entry.id };
    return keep === 'latest' ? { type: 'replace', doc, upsert: true } : { type: 'insert', doc };
  });
  const results = await backups.write(ops);
  const bad = results.findIndex((r) => r.status !== 'ok' && r.status !== 'exists');
  if (bad === -1 && results.length === entries.length) return;
  const entry = entries[Math.max(bad, 0)]!;
  throw new StewardError(
    'store.failed',
    `could not save the before-image of ${entry.collection} ${JSON.stringify(entry.key)} in ` +
      `"${backups.spec.name}" (${JSON.stringify(results[bad])}); nothing of this batch was changed. ` +
      'Check the ledger store, then rerun to resume.',
    { collection: entry.collection, key: entry.key },
  );
}
