import { parseFilter } from '../core/filter.js';
import { isJsonObject, type JsonObject, type Scalar } from '../core/json.js';
import { StewardError } from '../errors/steward-error.js';
import type { Ledger } from '../ledger/ledger.js';
import { scanPages } from '../stores/scan-pages.js';
import { type Collection, type DocKey, isDocKey, keyId, type Page, type WriteOp } from '../stores/store.js';

/**
 * A document as it was before a migration changed it, kept in the ledger's `backups` collection
 * so rollback can put it back exactly, whether or not the migration has a `down`.
 *
 * One image per migration, attempt, collection and document key, saved just before the document
 * is written, and written only for a document read at the version the migration starts from (or
 * still holding a field to rename). That gate is what keeps an image from ever being a
 * half-migrated document: once apply's conditional write has landed, a retry after a crash finds
 * the document at the target and saves no image. Apply therefore saves images as upserts, so
 * DynamoDB can batch them: a retry that does save one again saves the document as it is right
 * before the write, which is the state rollback must restore (if someone changed the document
 * between a crashed run and its retry, the older image would undo their change).
 *
 * An image with `doc: null` is a marker: the document was already at the target version when
 * apply reached it, so rollback leaves it there and the census does not count it against the
 * rollback.
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
  readonly savedAt: string;
}

/**
 * The key of a before-image in the backups collection: readable, and in the order apply writes
 * them (documents are read in key order on ordered stores), so saving a batch of images appends
 * to the backups' key order instead of scattering across it. The migration id, attempt and
 * collection name cannot contain `|`; the document's key id comes last, so keys never collide.
 */
export function beforeImageId(migration: string, attempt: number, collection: string, key: DocKey): string {
  return `mig|${migration}|${attempt}|${collection}|${keyId(key)}`;
}

/** The ledger's `backups` collection, created when missing. */
export async function migrationBackups(ledger: Ledger): Promise<Collection> {
  await ledger.store.ensureCollection(ledger.namespace.backups);
  return ledger.store.collection(ledger.namespace.backups);
}

/**
 * Saves images: as upserts (`latest`, apply's images, see above) or insert-only (`first`, an
 * image already saved is kept). Throws `store.failed` when the store refuses one: a document must
 * never be changed without its before-image, so the caller writes nothing of the batch.
 */
export async function saveBeforeImages(
  backups: Collection,
  images: readonly MigrationBeforeImage[],
  keep: 'latest' | 'first' = 'latest',
): Promise<void> {
  if (images.length === 0) return;
  const ops: WriteOp[] = images.map((image) =>
    keep === 'latest'
      ? { type: 'replace', doc: imageDoc(backups, image), upsert: true }
      : { type: 'insert', doc: imageDoc(backups, image) },
  );
  const results = await backups.write(ops);
  const bad = results.findIndex((r) => r.status !== 'ok' && r.status !== 'exists');
  if (bad === -1 && results.length === images.length) return;
  const image = images[Math.max(bad, 0)]!;
  throw new StewardError(
    'store.failed',
    `could not save the before-image of ${image.collection} ${JSON.stringify(image.key)} in ` +
      `"${backups.spec.name}" (${JSON.stringify(results[bad])}); nothing of this batch was changed. ` +
      'Check the ledger store, then rerun to resume.',
    { collection: image.collection, key: image.key },
  );
}

/** The saved images of these keys of one collection, by `keyId` of the document key. */
export async function readBeforeImages(
  backups: Collection,
  of: { migration: string; attempt: number; collection: string },
  keys: readonly DocKey[],
): Promise<Map<string, MigrationBeforeImage>> {
  const out = new Map<string, MigrationBeforeImage>();
  if (keys.length === 0) return out;
  const ids = keys.map((key) => beforeImageId(of.migration, of.attempt, of.collection, key));
  const found = await backups.getMany(ids);
  for (const [i, key] of keys.entries()) {
    const image = asImage(found.get(keyId(ids[i]!)));
    if (image) out.set(keyId(key), image);
  }
  return out;
}

/**
 * Pages of one attempt's images, from the resume token `after`. The filter runs in the store, so
 * other migrations' and repairs' images are not read into memory.
 */
export async function* beforeImagePages(
  backups: Collection,
  of: { migration: string; attempt: number },
  options: { after?: string | null; limit: number },
): AsyncGenerator<{ images: MigrationBeforeImage[]; next: Page['next'] }> {
  const filter = parseFilter({ migration: of.migration, attempt: of.attempt });
  for await (const page of scanPages(backups, {
    filter,
    limit: options.limit,
    after: options.after ?? null,
  })) {
    const images = page.docs.map(asImage).filter((i): i is MigrationBeforeImage => i !== undefined);
    yield { images, next: page.next };
  }
}

function imageDoc(backups: Collection, image: MigrationBeforeImage): JsonObject {
  const id = beforeImageId(image.migration, image.attempt, image.collection, image.key);
  return { ...(image as unknown as JsonObject), [backups.spec.keyField]: id };
}

function asImage(doc: JsonObject | undefined): MigrationBeforeImage | undefined {
  if (!doc || typeof doc.migration !== 'string' || typeof doc.collection !== 'string') return undefined;
  if (!isDocKey(doc.key) || (doc.doc !== null && !isJsonObject(doc.doc))) return undefined;
  return doc as unknown as MigrationBeforeImage;
}
