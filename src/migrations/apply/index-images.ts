import { isJsonObject, type JsonObject } from '../../core/json.js';
import { StewardError } from '../../errors/steward-error.js';
import { type Collection, type IndexInfo, keyId } from '../../stores/store.js';

/**
 * What an index was before a migration's `create-index` or `drop-index` touched it: its
 * definition, or null when there was no index of that name. Saved in the ledger's `backups`
 * collection before the operation runs, insert-only, so a rerun after a crash (which finds the
 * index already created or dropped) keeps the first image. Rollback reads it to undo exactly:
 * it drops only an index apply created, and re-creates a dropped one as it was defined.
 */
export interface IndexImage {
  readonly migration: string;
  readonly attempt: number;
  /** Position of the operation in the migration's `operations`: one name may be touched twice. */
  readonly operation: number;
  readonly collection: string;
  readonly name: string;
  readonly before: IndexInfo | null;
  readonly savedAt: string;
}

type ImageOf = Pick<IndexImage, 'migration' | 'attempt' | 'operation' | 'collection' | 'name'>;

/**
 * The key of an index image in the backups collection. It starts with `idx|` and keeps the image
 * under `indexImage`, so the document before-images' reads (by `migration` and `attempt`) never
 * see it.
 */
export function indexImageId(of: ImageOf): string {
  return `idx|${of.migration}|${of.attempt}|${of.operation}|${of.collection}|${of.name}`;
}

/** Saves an image unless one is there already; throws `store.failed` when the store refuses it. */
export async function saveIndexImage(backups: Collection, image: IndexImage): Promise<void> {
  const doc: JsonObject = {
    [backups.spec.keyField]: indexImageId(image),
    indexImage: image as unknown as JsonObject,
  };
  const [result] = await backups.write([{ type: 'insert', doc }]);
  if (result?.status === 'ok' || result?.status === 'exists') return;
  throw new StewardError(
    'store.failed',
    `could not save the definition of index "${image.name}" of ${image.collection} in "${backups.spec.name}" ` +
      `(${JSON.stringify(result)}); the index was not changed. Check the ledger store, then rerun to resume.`,
    { collection: image.collection, index: image.name },
  );
}

/** The saved image, or undefined when apply never reached the operation. */
export async function readIndexImage(backups: Collection, of: ImageOf): Promise<IndexImage | undefined> {
  const id = indexImageId(of);
  const image = (await backups.getMany([id])).get(keyId(id))?.indexImage;
  return isJsonObject(image) ? (image as unknown as IndexImage) : undefined;
}
