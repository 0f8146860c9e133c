import type { JsonObject } from '../../core/json.js';
import { estimatedCount } from '../../stores/estimated-count.js';
import { readAhead } from '../../stores/read-ahead.js';
import { scanPages } from '../../stores/scan-pages.js';
import { type Collection, docKey, type Page } from '../../stores/store.js';
import { parseStoredText } from '../../stores/stored-text.js';
import { batchName } from '../batch-images.js';
import {
  ChecksumAccumulator,
  type CollectionChecksum,
  type DigestKind,
  digestKindOf,
  preferredDigestKind,
} from '../collection-checksum.js';
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
 * every batch from `progress.pass`; the next page is read while the current one is written. A
 * batch of the rest is a page; one of the canary gathers canary documents over pages
 * (`CanaryBatch`).
 * Returns the progress after the last batch, or `paused` when the run was asked to stop (the
 * checkpoint then holds everything done), or `stopped` by the `contract` gate: a batch holds a
 * document that would not conform to its contract once rewritten, so nothing of that batch is
 * written and the progress stays at its start (see `acceptNonConforming` for what `--resume` does).
 *
 * The canary pass reads every document of the collection before the rest changes any, so it also
 * sums the checksum of the collection as it was before apply (`progress.before`; when the
 * `contract` gate stops it, `settleBefore` reads what it had not reached). The rest pass
 * reads every document too, canary documents as the canary left them, so it sums the checksum as
 * apply leaves the collection (`progress.after`): each document as read, or as written when this
 * pass wrote it (a conditional write that succeeded stored exactly that document). That spares a
 * third read of the collection after apply.
 */
export async function documentPass(
  ctx: ApplyContext,
  migration: Migration,
  start: MigrationProgress,
  stage: PassStage,
): Promise<{ progress: MigrationProgress; paused: boolean; stopped?: GateResult }> {
  let progress = start;
  const names = documentCollections(migration);
  for (let c = progress.pass.collection; c < names.length; c++) {
    const target = ctx.target.collection(names[c]!);
    // The attempt keeps the kind of checksum it began this collection with (a checkpoint's sums
    // say which); a new one takes the store's (see `DigestKind`). Only a `content` attempt digests
    // each written document's canonical text; a `stored-text` one reads the stored texts instead.
    const kind = attemptDigestKind(progress, target.name, target.handle);
    const texts = kind === 'stored-text';
    const rewrite: CollectionRewrite = {
      migration,
      keyField: target.spec.keyField,
      versionField: target.versionField,
      assumeVersion: contractAssumeVersion(ctx.contracts, target.name),
      versioned: migration.collections.includes(target.name),
      renames: renamesOf(migration, target.name),
      conforms: contractCheck(ctx.contracts, target.name, target.versionField),
      digest: kind === 'content',
    };
    let after = progress.pass.collection === c ? progress.pass.after : null;
    const counted = `${migration.id}\u0000${target.name}`;
    const total = ctx.totals.has(counted) ? ctx.totals.get(counted) : await estimatedCount(target.handle);
    ctx.totals.set(counted, total);
    let read = 0;
    const tick = () =>
      ctx.onEvent?.({
        type: 'progress',
        migration: migration.id,
        stage,
        collection: target.name,
        counts: progress.counts,
        read,
        ...(total === undefined ? {} : { total }),
      });
    tick();
    // The canary pass of a stored-text collection reads keys and texts only: it hashes every
    // text for the before-checksum but rewrites only the canary, so it parses only the canary's
    // texts (a parse of every document there was about 3% of apply's CPU, issue 17 11th pass).
    const keysAndTexts = stage === 'canary' && texts;
    const pages = scanPages(target.handle, {
      after,
      limit: ctx.plan.options.batchSize,
      texts,
      ...(keysAndTexts ? { keysOnly: true } : {}),
    });
    // The canary pass plans few documents of a page (`canaryPercent` of them), so it writes them
    // a batch at a time rather than a page at a time: a batch ends once it holds `batchSize`
    // documents, after `canaryBatchPages` pages, or at the end of the collection (see
    // `CanaryBatch`). The rest pass writes each page as its batch.
    let canary: CanaryBatch | undefined;
    for await (const page of readAhead(pages)) {
      const selected: number[] = [];
      for (let i = 0; i < page.docs.length; i++)
        if (selects(page.docs[i]!, rewrite, ctx.plan.hash, ctx.plan.options.canaryPercent, stage))
          selected.push(i);
      const planned = selected.map((i) => {
        const text = page.texts?.[i];
        const doc = keysAndTexts ? wholeDocument(page, i, target) : page.docs[i]!;
        return plannedDocument(doc, planDocument(doc, rewrite), kind, text);
      });
      const broken = progress.acceptNonConforming ? [] : nonConforming(planned);
      // Nothing of the batch is written, and the progress stays at its start.
      if (broken.length > 0)
        return {
          progress: { ...progress, stoppedIn: stage },
          paused: false,
          stopped: contractStop(stage, target.name, broken),
        };
      read += page.docs.length;
      if (stage === 'canary') {
        canary ??= new CanaryBatch(progress.before[target.name], kind);
        canary.add(page, selected, planned);
      }
      // A canary batch not full yet waits for the next page; a page of the rest is its batch.
      if (!canary || canary.full(ctx.plan.options.batchSize) || !page.next) {
        const batch = canary?.planned ?? planned;
        const written = await writeBatch(batchTarget(ctx, migration, progress, target, stage, after), batch);
        after = page.next;
        progress = {
          ...tally(progress, target.name, written, stage),
          pass: after ? { collection: c, after } : { collection: c + 1, after: null },
          ...(canary
            ? { before: { ...progress.before, [target.name]: canary.before(written) } }
            : { after: sumAfter(progress, target.name, kind, page, selected, planned, written) }),
        };
        canary = undefined;
        await ctx.save(progress);
      }
      tick();
      await ctx.throttle.take(page.docs.length, ctx.signal);
      // A canary batch not yet written is read again on resume: the checkpoint is at its start.
      if (ctx.signal?.aborted) return { progress, paused: true };
    }
  }
  return { progress: { ...progress, pass: { collection: 0, after: null } }, paused: false };
}

/** Document `i` of a page read as keys and texts, parsed whole from its stored text. */
function wholeDocument(
  page: Page,
  i: number,
  target: { name: string; spec: Collection['spec'] },
): JsonObject {
  const text = page.texts?.[i];
  // A store that gives texts with `encode` gives them with keys too (ScanOptions.texts).
  if (text === undefined) throw new Error(`a keys-and-texts page of "${target.name}" came without texts`);
  return parseStoredText(text, target.name, docKey(page.docs[i]!, target.spec));
}

function nonConforming(planned: readonly PlannedDocument[]) {
  return planned.flatMap(({ plan }) => (plan.kind === 'failed' && plan.nonConforming ? [plan] : []));
}

/** The canary pass takes canary documents (and keyless ones, to report them once); the rest the others. */
function selects(
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
 * The kind of checksum the attempt sums for a collection: the kind of the sums its checkpoint
 * holds, or, before the first, the store's. An attempt an older steward began (content sums, images
 * without stored texts) so goes on as it began.
 */
function attemptDigestKind(progress: MigrationProgress, collection: string, handle: Collection): DigestKind {
  const earlier = progress.before[collection] ?? progress.after?.[collection];
  return earlier ? digestKindOf(earlier) : preferredDigestKind(handle);
}

/** How many pages a canary batch reads at most: its checkpoint comes at least this often. */
const canaryBatchPages = 20;

/**
 * A batch of the canary pass in the making: the documents planned from the pages read since the
 * last checkpoint, and the before-checksum of the collection up to the last of those pages. The
 * documents not planned (outside the canary) are summed as their page comes, and only their
 * digests kept; the planned ones are summed once written (see `before`). Why batches of planned
 * documents, not of pages (issue 17, twelfth pass): with 5% in the canary, a page of 500 held
 * about 25 documents, so the canary pass paid a batch's fixed costs (the image, the transaction,
 * the checkpoint; a round trip each on a server store) 20 times as often as the rest pass.
 */
class CanaryBatch {
  readonly planned: PlannedDocument[] = [];
  private readonly sum: ChecksumAccumulator;
  private pages = 0;

  constructor(start: CollectionChecksum | undefined, kind: DigestKind) {
    this.sum = ChecksumAccumulator.from(start, kind);
  }

  /** A page's planned documents (`selected` holds their indexes in the page, ascending). */
  add(page: Page, selected: readonly number[], planned: readonly PlannedDocument[]): void {
    const { docs, texts } = page;
    let s = 0;
    for (let i = 0; i < docs.length; i++) {
      if (selected[s] === i) this.planned.push(planned[s++]!);
      else this.sum.add(docs[i]!, texts?.[i]);
    }
    this.pages++;
  }

  full(batchSize: number): boolean {
    return this.planned.length >= batchSize || this.pages >= canaryBatchPages;
  }

  /**
   * The before-checksum with the batch written: each planned document as read, except those an
   * earlier run of this attempt already rewrote, which count as their before-image says they were
   * (its stored text; an image an older steward saved has none, and then the text `JSON.stringify`
   * gives stands in, exact for text steward wrote: see `DigestKind`).
   */
  before(written: readonly WrittenDocument[]): CollectionChecksum {
    const sum = this.sum;
    for (let i = 0; i < this.planned.length; i++) {
      const w = written[i]!;
      // A `stored-text` attempt's planned documents carry their stored texts (`PlannedDocument`).
      const { doc, text } = this.planned[i]!;
      if (w.outcome === 'changed-before')
        sum.add(w.original, w.originalText ?? (text === undefined ? undefined : JSON.stringify(w.original)));
      else sum.add(doc, text);
    }
    return sum.result();
  }
}

/** Where and as what a batch's images and writes go. */
function batchTarget(
  ctx: ApplyContext,
  migration: Migration,
  progress: MigrationProgress,
  target: { name: string; versionField: string; handle: Collection },
  stage: PassStage,
  after: string | null,
) {
  return {
    backups: ctx.backups,
    collection: target.handle,
    name: target.name,
    versionField: target.versionField,
    migration: migration.id,
    attempt: progress.attempt,
    stage,
    batch: batchName(stage, after),
    now: ctx.now(),
  };
}

/**
 * Adds a page to the collection's after-checksum: each document as this pass wrote it, the others
 * (the canary's, those at the target already, failed or unchanged ones) as read.
 */
function sumAfter(
  progress: MigrationProgress,
  collection: string,
  kind: DigestKind,
  page: Page,
  selected: readonly number[],
  planned: readonly PlannedDocument[],
  written: readonly WrittenDocument[],
): MigrationProgress['before'] {
  const sum = ChecksumAccumulator.from(progress.after?.[collection], kind);
  const { docs, texts } = page;
  let s = 0;
  for (let i = 0; i < docs.length; i++) {
    if (selected[s] !== i) {
      sum.add(docs[i]!, texts?.[i]);
      continue;
    }
    const w = written[s]!;
    const { digest, plan } = planned[s++]!;
    if (w.outcome !== 'changed' || plan.kind !== 'write') sum.add(docs[i]!, texts?.[i]);
    // What was written: a conditional write that succeeded stored exactly that document (text).
    else if (sum.kind === 'content') digest ? sum.addDigest(digest) : sum.add(plan.next);
    else if (w.textDigest) sum.addTextDigest(w.textDigest);
    else throw new Error('a stored-text checksum met a write without the digest of its text');
  }
  return { ...progress.after, [collection]: sum.result() };
}
