import type { JsonObject } from '../../core/json.js';
import { estimatedCount } from '../../stores/estimated-count.js';
import { readAhead } from '../../stores/read-ahead.js';
import { scanPages } from '../../stores/scan-pages.js';
import { docKey } from '../../stores/store.js';
import { batchName } from '../batch-images.js';
import { ChecksumAccumulator } from '../collection-checksum.js';
import type { Migration } from '../migration.js';
import type { ApplyContext } from './apply-context.js';
import { contractStop } from './apply-gates.js';
import {
  type ApplyCounts,
  type GateResult,
  type MigrationProgress,
  maxListedFailures,
} from './apply-state.js';
import { inCanary } from './canary.js';
import { contractAssumeVersion, contractCheck } from './contract-check.js';
import { type CollectionRewrite, planDocument } from './document-plan.js';
import { documentCollections, renamesOf } from './migration-collections.js';
import { type PlannedDocument, plannedDocument, type WrittenDocument, writeBatch } from './write-batch.js';

export type PassStage = 'canary' | 'rest';

/**
 * One pass over every document collection of a migration: the canary's (only documents whose key
 * falls in the canary) or the rest's (all others). Batched, throttled, and checkpointed after
 * every batch from `progress.pass`; the next page is read while the current one is written.
 * Returns the progress after the last batch, or `paused` when the run was asked to stop (the
 * checkpoint then holds everything done), or `stopped` by the `contract` gate: a batch holds a
 * document that would not conform to its contract once rewritten, so nothing of that batch is
 * written and the progress stays at its start (see `acceptNonConforming` for what `--resume` does).
 *
 * The canary pass asks the store for the canary's documents only (`ScanOptions.sample`: SQLite
 * selects them inside, other stores drop the others in the adapter), so the documents outside it
 * are read once, by the rest pass, not twice. Each pass sums the before-checksum
 * (`progress.before`) of the documents it selects, as it first meets them (or as their image says
 * when an earlier run of this attempt rewrote them): the two passes together sum every document
 * once. Where apply stops short of the rest pass's end (a gate, a pause), `settleBefore` reads
 * what no pass summed. The rest pass reads every document, canary documents as the canary left
 * them, so it also sums the checksum as apply leaves the collection (`progress.after`): each
 * document as read, or as written when this pass wrote it (a conditional write that succeeded
 * stored exactly that document). That spares a third read of the collection after apply.
 */
export async function documentPass(
  ctx: ApplyContext,
  migration: Migration,
  start: MigrationProgress,
  stage: PassStage,
): Promise<{ progress: MigrationProgress; paused: boolean; stopped?: GateResult }> {
  // Back in a pass, `before` goes on from where it stopped; a sum settled at a stop goes.
  const { wholeBefore: _, ...resumed } = start;
  let progress: MigrationProgress = resumed;
  const names = documentCollections(migration);
  for (let c = progress.pass.collection; c < names.length; c++) {
    const target = ctx.target.collection(names[c]!);
    const rewrite: CollectionRewrite = {
      migration,
      keyField: target.spec.keyField,
      versionField: target.versionField,
      assumeVersion: contractAssumeVersion(ctx.contracts, target.name),
      versioned: migration.collections.includes(target.name),
      renames: renamesOf(migration, target.name),
      conforms: contractCheck(ctx.contracts, target.name, target.versionField),
      digest: true,
    };
    let after = progress.pass.collection === c ? progress.pass.after : null;
    const counted = `${migration.id}\u0000${target.name}`;
    const total = ctx.totals.has(counted) ? ctx.totals.get(counted) : await estimatedCount(target.handle);
    ctx.totals.set(counted, total);
    // The canary pass reads only the canary: its bar runs to the canary's expected share.
    const percent = Math.min(ctx.plan.options.canaryPercent, 100);
    const expected = stage === 'canary' && total !== undefined ? Math.ceil((total * percent) / 100) : total;
    let read = 0;
    const tick = () =>
      ctx.onEvent?.({
        type: 'progress',
        migration: migration.id,
        stage,
        collection: target.name,
        counts: progress.counts,
        read,
        ...(expected === undefined ? {} : { total: expected }),
      });
    tick();
    const canary = { seed: ctx.plan.hash, percent: ctx.plan.options.canaryPercent, inside: true };
    const pages = scanPages(target.handle, {
      after,
      limit: ctx.plan.options.batchSize,
      ...(stage === 'canary' ? { sample: canary } : {}),
    });
    for await (const page of readAhead(pages)) {
      // Selected again here: the sample is the store's, this is the pass's own word on it.
      const selected = page.docs.filter((doc) =>
        selects(doc, rewrite, ctx.plan.hash, ctx.plan.options.canaryPercent, stage),
      );
      const planned = selected.map((doc) => plannedDocument(doc, planDocument(doc, rewrite)));
      const broken = progress.acceptNonConforming ? [] : nonConforming(planned);
      if (broken.length > 0)
        return {
          progress: { ...progress, stoppedIn: stage },
          paused: false,
          stopped: contractStop(stage, target.name, broken),
        };
      const written = await writeBatch(
        {
          backups: ctx.backups,
          collection: target.handle,
          name: target.name,
          versionField: target.versionField,
          migration: migration.id,
          attempt: progress.attempt,
          stage,
          batch: batchName(stage, after),
          now: ctx.now(),
        },
        planned,
      );
      after = page.next;
      progress = {
        ...tally(progress, target.name, written, stage),
        pass: after ? { collection: c, after } : { collection: c + 1, after: null },
        before: sumBefore(progress, target.name, written),
        ...(stage === 'rest' ? { after: sumAfter(progress, target.name, page.docs, planned, written) } : {}),
      };
      await ctx.save(progress);
      read += page.docs.length;
      tick();
      await ctx.throttle.take(page.docs.length, ctx.signal);
      if (ctx.signal?.aborted) return { progress, paused: true };
    }
  }
  return { progress: { ...progress, pass: { collection: 0, after: null } }, paused: false };
}

function nonConforming(planned: readonly PlannedDocument[]) {
  return planned.flatMap(({ plan }) => (plan.kind === 'failed' && plan.nonConforming ? [plan] : []));
}

/** The canary pass takes canary documents (and keyless ones, to report them once); the rest the others. */
export function selects(
  doc: JsonObject,
  rewrite: CollectionRewrite,
  planHash: string,
  percent: number,
  stage: PassStage,
): boolean {
  const key = docKey(doc, { name: '', keyField: rewrite.keyField });
  if (key === undefined) return stage === 'canary';
  return inCanary(key, planHash, percent) === (stage === 'canary');
}

function tally(
  progress: MigrationProgress,
  collection: string,
  written: readonly WrittenDocument[],
  stage: PassStage,
): MigrationProgress {
  let { changed, skipped, failed, canary, canaryDocs, canaryFailed }: ApplyCounts = progress.counts;
  const failures = [...progress.failures];
  const before = changed;
  for (const w of written) {
    if (w.outcome === 'changed' || w.outcome === 'changed-before') changed++;
    else if (w.outcome === 'skipped') skipped++;
    else {
      failed++;
      if (failures.length < maxListedFailures) failures.push({ collection, key: w.key, reason: w.reason });
    }
  }
  if (stage === 'canary') {
    canaryDocs += written.length;
    canary += written.filter((w) => w.outcome === 'changed' || w.outcome === 'changed-before').length;
    canaryFailed += written.filter((w) => w.outcome === 'failed').length;
  }
  const changedIn = {
    ...progress.changedIn,
    [collection]: (progress.changedIn[collection] ?? 0) + changed - before,
  };
  return {
    ...progress,
    counts: { changed, skipped, failed, canary, canaryDocs, canaryFailed },
    changedIn,
    failures,
  };
}

/**
 * Adds the page's selected documents to the collection's before-checksum: each as read, except
 * those an earlier run of this attempt already rewrote, which count as their before-image says
 * they were (`original`, one per selected document). The other pass sums the others.
 */
function sumBefore(
  progress: MigrationProgress,
  collection: string,
  written: readonly WrittenDocument[],
): MigrationProgress['before'] {
  const sum = ChecksumAccumulator.from(progress.before[collection]);
  for (const w of written) sum.add(w.original);
  return { ...progress.before, [collection]: sum.result() };
}

/**
 * Adds a page to the collection's after-checksum: each document as this pass wrote it, the others
 * (the canary's, those at the target already, failed or unchanged ones) as read.
 */
function sumAfter(
  progress: MigrationProgress,
  collection: string,
  page: readonly JsonObject[],
  planned: readonly PlannedDocument[],
  written: readonly WrittenDocument[],
): MigrationProgress['before'] {
  const sum = ChecksumAccumulator.from(progress.after?.[collection]);
  // `planned` follows `page` in its order (the pass's selected documents): walked beside it.
  let p = 0;
  for (const doc of page) {
    const plannedDoc = planned[p];
    if (plannedDoc?.doc !== doc) {
      sum.add(doc);
      continue;
    }
    const { digest } = plannedDoc;
    if (digest && written[p]!.outcome === 'changed') sum.addDigest(digest);
    else sum.add(doc);
    p++;
  }
  return { ...progress.after, [collection]: sum.result() };
}
