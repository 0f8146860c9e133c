import type { JsonObject, Scalar } from '../../core/json.js';
import { keyId, type WriteOp, type WriteResult } from '../../stores/store.js';
import { maxListedFailures } from '../apply/apply-state.js';
import { contractAssumeVersion } from '../apply/contract-check.js';
import type { CollectionRewrite } from '../apply/document-plan.js';
import { renamesOf } from '../apply/migration-collections.js';
import { batchImages, type ImageEntry } from '../batch-images.js';
import { type MigrationBeforeImage, saveBeforeImages } from '../before-images.js';
import type { Migration } from '../migration.js';
import { planRestore, type RestorePlan } from './restore-plan.js';
import type { RollbackContext } from './rollback-context.js';
import type { RollbackProgress } from './rollback-state.js';

/**
 * Puts back every batch image of the attempt, one image at a time over the ledger's backups (the
 * filter runs in the store), each write conditional on the version field apply wrote. The
 * checkpoint after each image holds its page's token and the images of that page done, so a
 * resumed run redoes at most the image in flight, and a redone image finds its documents already
 * restored.
 */
export async function restorePass(
  ctx: RollbackContext,
  migration: Migration | undefined,
  start: RollbackProgress,
): Promise<{ progress: RollbackProgress; paused: boolean }> {
  let progress = start;
  const images = batchImages(
    ctx.backups,
    { migration: start.id, attempt: start.attempt },
    { after: start.restoreAfter },
  );
  for await (const { collection, batch, image, page } of images) {
    const id = `${collection}|${batch}`;
    const done = progress.restoreAfter === page.after ? (progress.restoreDone ?? []) : [];
    if (done.includes(id)) continue;
    const entries = image.entries.map((entry) => asImage(progress, collection, entry));
    for (let i = 0; i < entries.length; i += ctx.batchSize)
      progress = await restoreImages(
        ctx,
        migration,
        progress,
        collection,
        entries.slice(i, i + ctx.batchSize),
      );
    progress = page.last
      ? { ...progress, restoreAfter: page.next, restoreDone: [] }
      : { ...progress, restoreAfter: page.after, restoreDone: [...done, id] };
    await ctx.save(progress);
    ctx.onEvent?.({
      type: 'progress',
      migration: progress.id,
      stage: 'restore',
      collection,
      counts: progress.counts,
    });
    await ctx.throttle.take(entries.length, ctx.signal);
    if (ctx.signal?.aborted) return { progress, paused: true };
  }
  return { progress, paused: false };
}

function asImage(progress: RollbackProgress, collection: string, entry: ImageEntry): MigrationBeforeImage {
  return { migration: progress.id, attempt: progress.attempt, collection, savedAt: '', ...entry };
}

async function restoreImages(
  ctx: RollbackContext,
  migration: Migration | undefined,
  progress: RollbackProgress,
  name: string,
  images: readonly MigrationBeforeImage[],
): Promise<RollbackProgress> {
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
  const ops: WriteOp[] = plans.flatMap(({ image, plan }) =>
    plan.kind === 'restore' || plan.kind === 'down'
      ? [
          {
            type: 'replace',
            doc: plan.doc,
            expect: { field: target.versionField, value: image.writtenVersion },
          } as WriteOp,
        ]
      : [],
  );
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
