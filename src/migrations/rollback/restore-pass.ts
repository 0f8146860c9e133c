import type { JsonObject, Scalar } from '../../core/json.js';
import { keyId, type WriteOp, type WriteResult } from '../../stores/store.js';
import { maxListedFailures } from '../apply/apply-state.js';
import { contractAssumeVersion } from '../apply/contract-check.js';
import type { CollectionRewrite } from '../apply/document-plan.js';
import { renamesOf } from '../apply/migration-collections.js';
import {
  batchImageHeads,
  batchImages,
  type ImageEntry,
  type PagedImage,
  type PagedImageHead,
  readBatchImage,
} from '../batch-images.js';
import { type MigrationBeforeImage, saveBeforeImages } from '../before-images.js';
import { documentDigest } from '../collection-checksum.js';
import type { Migration } from '../migration.js';
import { planRestore, type RestorePlan } from './restore-plan.js';
import type { RollbackContext } from './rollback-context.js';
import type { RollbackProgress } from './rollback-state.js';

/**
 * Puts back every batch image of the attempt, one image at a time over the ledger's backups (the
 * filter runs in the store), each write conditional on the version field apply wrote. The
 * checkpoint after each image holds its page's token and the images done since it, so a resumed
 * run redoes at most the image in flight, and a redone image finds its documents already
 * restored.
 *
 * Where the target collections restore copies inside the store (SQLite, with the ledger in the
 * same file), the images are read as heads only, and each image's documents still exactly as
 * apply wrote them (by the digest apply kept) are put back there in one transaction, never parsed
 * here; only the rest (changed since apply, deleted, restored already) is read and planned one by
 * one, as everywhere else.
 */
export async function restorePass(
  ctx: RollbackContext,
  migration: Migration | undefined,
  start: RollbackProgress,
  collections: readonly string[],
): Promise<{ progress: RollbackProgress; paused: boolean }> {
  const of = { migration: start.id, attempt: start.attempt };
  const options = { after: start.restoreAfter };
  const orderedScan = ctx.ledger.store.capabilities.orderedScan;
  const images = restoresInStore(ctx, collections)
    ? imagesInStore(ctx, migration, batchImageHeads(ctx.backups, of, { ...options, orderedScan }))
    : imagesHere(ctx, migration, batchImages(ctx.backups, of, options));
  let progress = start;
  // Images met by this run: once its page is done, the checkpoint's list of done images need not
  // name them. It keeps the others, so an image the list names is skipped on whichever page it
  // comes: a checkpoint saved while pages were cut otherwise (the heads scan before it read ids,
  // 100 heads a page) names images a page of ids may put on the next page (restored twice, and
  // counted twice, were it only skipped on the first).
  const met = new Set<string>();
  for await (const { collection, batch, page, restore } of images) {
    const id = `${collection}|${batch}`;
    met.add(id);
    const done = progress.restoreDone ?? [];
    if (done.includes(id)) continue;
    const restored = await restore(progress);
    progress = page.last
      ? { ...restored.progress, restoreAfter: page.next, restoreDone: done.filter((d) => !met.has(d)) }
      : { ...restored.progress, restoreAfter: page.after, restoreDone: [...done, id] };
    await ctx.save(progress);
    ctx.onEvent?.({
      type: 'progress',
      migration: progress.id,
      stage: 'restore',
      collection,
      counts: progress.counts,
    });
    await ctx.throttle.take(restored.entries, ctx.signal);
    if (ctx.signal?.aborted) return { progress, paused: true };
  }
  return { progress, paused: false };
}

/** One batch image to restore, and how: `restore` does it and says how many entries it had. */
interface ImageToRestore {
  readonly collection: string;
  readonly batch: string;
  readonly page: PagedImage['page'];
  restore(progress: RollbackProgress): Promise<{ progress: RollbackProgress; entries: number }>;
}

/** True when every target collection can restore copies inside the store (see above). */
function restoresInStore(ctx: RollbackContext, collections: readonly string[]): boolean {
  try {
    return (
      collections.length > 0 &&
      collections.every((name) => ctx.target.collection(name).handle.restoreCopies !== undefined)
    );
  } catch {
    // A collection the config no longer names: the image-by-image path meets it as it did before.
    return false;
  }
}

async function* imagesHere(
  ctx: RollbackContext,
  migration: Migration | undefined,
  images: AsyncIterable<PagedImage>,
): AsyncGenerator<ImageToRestore> {
  for await (const { collection, batch, image, page } of images)
    yield {
      collection,
      batch,
      page,
      restore: async (progress) => ({
        progress: await restoreEntries(ctx, migration, progress, collection, image.entries),
        entries: image.entries.length,
      }),
    };
}

async function* imagesInStore(
  ctx: RollbackContext,
  migration: Migration | undefined,
  heads: AsyncIterable<PagedImageHead>,
): AsyncGenerator<ImageToRestore> {
  for await (const { collection, batch, ids, page } of heads)
    yield {
      collection,
      batch,
      page,
      restore: (progress) => restoreInStore(ctx, migration, progress, { collection, batch, ids }),
    };
}

/**
 * Restores one image inside the store, then the entries the store left (their documents are not
 * as apply wrote them) as {@link restoreEntries} does. A crash between the two is safe: the rerun
 * finds the documents put back already restored (`already`), and the others as they were.
 */
async function restoreInStore(
  ctx: RollbackContext,
  migration: Migration | undefined,
  progress: RollbackProgress,
  image: { collection: string; batch: string; ids: readonly string[] },
): Promise<{ progress: RollbackProgress; entries: number }> {
  const target = ctx.target.collection(image.collection);
  const pushed = await target.handle.restoreCopies?.({
    from: ctx.backups,
    ids: image.ids,
    field: 'entries',
    key: 'key',
    doc: 'doc',
    docText: 'docText',
    digest: 'writtenDigest',
    digestOf: documentDigest,
    textDigest: 'writtenTextDigest',
    version: { field: target.versionField, element: 'writtenVersion' },
  });
  const restored = pushed?.restored ?? new Set<string>();
  let next = restoredInStore(progress, image.collection, restored.size);
  if (pushed && restored.size === pushed.elements) return { progress: next, entries: pushed.elements };
  const owner = { migration: progress.id, attempt: progress.attempt, collection: image.collection };
  const entries = (await readBatchImage(ctx.backups, owner, image.batch))?.entries ?? [];
  const left = entries.filter((entry) => !restored.has(keyId(entry.key)));
  next = await restoreEntries(ctx, migration, next, image.collection, left);
  return { progress: next, entries: entries.length };
}

/** Counts documents the store put back: each a restore that succeeded. */
function restoredInStore(progress: RollbackProgress, name: string, n: number): RollbackProgress {
  if (n === 0) return progress;
  return {
    ...progress,
    counts: { ...progress.counts, changed: progress.counts.changed + n },
    restoredIn: { ...progress.restoredIn, [name]: (progress.restoredIn[name] ?? 0) + n },
  };
}

/** Restores entries of one image, in slices of the batch size. */
async function restoreEntries(
  ctx: RollbackContext,
  migration: Migration | undefined,
  start: RollbackProgress,
  collection: string,
  entries: readonly ImageEntry[],
): Promise<RollbackProgress> {
  let progress = start;
  for (let i = 0; i < entries.length; i += ctx.batchSize)
    progress = await restoreImages(ctx, migration, progress, collection, entries.slice(i, i + ctx.batchSize));
  return progress;
}

/**
 * The entry as a document's before-image, without its stored text: `keepFailed` saves these, and
 * `doc` already holds the text's content.
 */
function asImage(progress: RollbackProgress, collection: string, entry: ImageEntry): MigrationBeforeImage {
  const { docText: _text, ...image } = entry;
  return { migration: progress.id, attempt: progress.attempt, collection, savedAt: '', ...image };
}

/**
 * Restores the entries one by one. An entry's `docText`, where it has one, is the stored text its
 * `doc` was parsed from: where the collection keeps text (`encode`), a restore writes that text, so
 * a document put back here is byte for byte as it was, as one the store put back itself.
 */
async function restoreImages(
  ctx: RollbackContext,
  migration: Migration | undefined,
  progress: RollbackProgress,
  name: string,
  entries: readonly ImageEntry[],
): Promise<RollbackProgress> {
  const images = entries.map((entry) => asImage(progress, name, entry));
  const target = ctx.target.collection(name);
  const current = await target.handle.getMany(images.map((i) => i.key));
  const rewrite: CollectionRewrite | undefined = migration && {
    migration,
    keyField: target.spec.keyField,
    versionField: target.versionField,
    assumeVersion: contractAssumeVersion(ctx.contracts, name),
    versioned: migration.collections.includes(name),
    renames: renamesOf(migration, name),
  };
  const plans = images.map((image) => ({
    image,
    plan: planRestore(image, current.get(keyId(image.key)), target.versionField, rewrite),
  }));
  await keepOverwritten(ctx, plans, target.versionField);
  const ops: WriteOp[] = plans.flatMap(({ image, plan }, i) => {
    if (plan.kind !== 'restore' && plan.kind !== 'down') return [];
    const expect = { field: target.versionField, value: image.writtenVersion };
    // `restore` writes the image's own document, so its stored text is a JSON text of it.
    const text = plan.kind === 'restore' ? entries[i]!.docText : undefined;
    const encoded = text === undefined ? undefined : target.handle.encode?.(plan.doc, text);
    return [
      encoded
        ? { type: 'replace', doc: plan.doc, encoded, expect }
        : { type: 'replace', doc: plan.doc, expect },
    ];
  });
  const results = ops.length > 0 ? await target.handle.write(ops) : [];
  await keepFailed(ctx, plans, results);
  return tally(progress, name, plans, results);
}

/**
 * Saves a document's own copy of each image rollback could not restore: the census then finds
 * the document (still at the target version) already reported instead of counting it again.
 */
async function keepFailed(
  ctx: RollbackContext,
  plans: readonly { image: MigrationBeforeImage; plan: RestorePlan }[],
  results: readonly WriteResult[],
): Promise<void> {
  const failed: MigrationBeforeImage[] = [];
  let w = 0;
  for (const { image, plan } of plans) {
    const written = plan.kind === 'restore' || plan.kind === 'down';
    const ok = !written || results[w++]?.status === 'ok';
    if (plan.kind === 'failed' || !ok) failed.push({ ...image, savedAt: ctx.now() });
  }
  await saveBeforeImages(ctx.backups, failed, 'first');
}

function tally(
  progress: RollbackProgress,
  name: string,
  plans: readonly { image: MigrationBeforeImage; plan: RestorePlan }[],
  results: readonly WriteResult[],
): RollbackProgress {
  let { changed, skipped, failed, canary } = progress.counts;
  let converted = progress.converted;
  let restored = progress.restoredIn[name] ?? 0;
  const failures = [...progress.failures];
  const fail = (image: MigrationBeforeImage, reason: string) => {
    failed++;
    if (failures.length < maxListedFailures) failures.push({ collection: name, key: image.key, reason });
  };
  let w = 0;
  for (const { image, plan } of plans) {
    if (plan.kind === 'marker') continue;
    if (plan.kind === 'already') {
      changed++;
      restored++;
    } else if (plan.kind === 'failed') fail(image, plan.reason);
    else {
      const result = results[w++];
      if (result?.status !== 'ok')
        fail(image, `the store did not take the restore: ${result?.status ?? 'no result'}; rerun rollback`);
      else if (plan.kind === 'down') converted++;
      else {
        changed++;
        restored++;
      }
    }
  }
  return {
    ...progress,
    counts: { changed, skipped, failed, canary },
    converted,
    restoredIn: { ...progress.restoredIn, [name]: restored },
    failures,
  };
}

/**
 * Keeps the content a restore overwrites (a change made after apply at the same version) in the
 * backups collection, under `<migration>#rollback`, so the rollback loses nothing.
 */
async function keepOverwritten(
  ctx: RollbackContext,
  plans: readonly { image: MigrationBeforeImage; plan: RestorePlan }[],
  versionField: string,
): Promise<void> {
  const kept: MigrationBeforeImage[] = [];
  for (const { image, plan } of plans)
    if (plan.kind === 'restore' && plan.overwrites && image.doc)
      kept.push({
        ...image,
        migration: `${image.migration}#rollback`,
        doc: plan.overwrites as JsonObject,
        writtenVersion: (image.doc[versionField] as Scalar | undefined) ?? null,
        savedAt: ctx.now(),
      });
  await saveBeforeImages(ctx.backups, kept, 'first');
}
