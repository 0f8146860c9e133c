import { performance } from 'node:perf_hooks';
import type { JsonObject } from '../../core/json.js';
import { takeTokens, tokenBucket } from '../../core/token-bucket.js';
import { type Finding, type KeepUnchanged, recordFindings } from '../../ledger/incidents.js';
import type { LeaseKeeper } from '../../ledger/lease-keeper.js';
import type { ResolvedReference } from '../reference.js';
import type { BatchCheck } from './check-batch.js';
import { type CheckedPage, checkedPages } from './checked-pages.js';
import { CommitQueue } from './commit-queue.js';
import { referenceFinding } from './reference-finding.js';
import type { ScanEvent, ScanJob } from './scan-input.js';
import type { ScanProgress } from './scan-progress.js';

export { defaultBatch } from './checked-pages.js';

/** Least time between checkpoints unless told otherwise (see `ScanReferenceInput.checkpointEveryMs`). */
export const defaultCheckpointEveryMs = 5000;

/** Findings held for the next commit at most: past this many it commits early, so memory stays bounded. */
const maxHeldFindings = 5000;

/**
 * How recent an open incident's last sighting must be for a scan that finds it unchanged to leave
 * it as it is (issue 17: on DynamoDB a rescan rewrote every open incident, 100 conditional
 * updates at 100k; on FerretDB each update reads the whole incidents collection). So an orphan
 * incident's `lastSeenAt` is exact to this interval, or to half the reference's
 * `revalidateAfter` when that is shorter, so `--stale-only` never finds one stale that a scan saw.
 */
const sightingIntervalMs = 3_600_000;

/** Incidents left unchanged that one run remembers at most (about 100 bytes each). */
const maxKeptIncidents = 100_000;

/**
 * The scan proper: reads the source page by page from where the progress stands (the next page
 * already being read while one is checked), checks each page against the target and counts it.
 * After the first page, then about every five seconds (`checkpointEveryMs`), and after the last page,
 * it commits the incidents of
 * the batches checked since the last commit and then a checkpoint, in the background of the next
 * page (see `commit-queue.ts`): a store write per batch would cost more than checking it on a
 * local store. Renews the lease as it goes and keeps to the rate limit. Stops after the batch in
 * flight when the input's signal is aborted, committed (`progress.complete` stays false).
 */
export async function scanSource(job: ScanJob, keeper: LeaseKeeper, progress: ScanProgress): Promise<void> {
  const { input, clock } = job;
  const { reference } = input;
  const commits = new CommitQueue();
  let since = performance.now();
  let bucket = input.rate ? tokenBucket(input.rate, clock()) : undefined;
  const everyMs = input.checkpointEveryMs ?? defaultCheckpointEveryMs;
  let committedAt: number | undefined;
  let held: Finding[] = [];
  // The target preload, if any, is counted in the scan's duration.
  for await (const page of checkedPages(input, progress.after)) {
    const { check } = page;
    count(progress, page);
    progress.after = page.next;
    progress.complete = page.next === null;
    const now = performance.now();
    progress.elapsedMs += now - since;
    since = now;
    addFindings(held, reference, check);
    input.onEvent?.({ type: 'batch', reference: reference.name, scanned: progress.counters.scanned });
    // The first batch is committed at once, so even a short scan leaves a checkpoint early.
    const due = committedAt === undefined || now - committedAt >= everyMs;
    if (page.next === null || due || held.length >= maxHeldFindings) {
      await queueCommit(commits, job, progress, held);
      held = [];
      committedAt = now;
    }
    await keeper.renewIfDue();
    if (bucket && page.next !== null) {
      const taken = takeTokens(bucket, page.size, clock());
      bucket = taken.bucket;
      await keeper.pause(taken.waitMs, input.signal); // counted in the duration: docs/s is the rate achieved
    }
    if (input.signal?.aborted && page.next !== null) {
      // Stopped on request: what was checked since the last commit is committed now, so the
      // rerun resumes exactly after this batch.
      if (held.length > 0 || committedAt !== now) await queueCommit(commits, job, progress, held);
      break;
    }
  }
  await commits.flush();
}

/** Tallies a checked page's outcomes and keys into the progress. */
function count(progress: ScanProgress, page: CheckedPage): void {
  const { check } = page;
  progress.tallyOk(check.ok);
  for (const { key, verdict } of check.checked) progress.tally(key, verdict);
  progress.tallyResolved(page.resolved);
  progress.lookedUp(check.keys, check.distinctKeys, check.lookups);
  if (page.pushedDown) progress.pushedDown = true;
}

function addFindings(into: Finding[], reference: ResolvedReference, check: BatchCheck): void {
  for (const { key, verdict } of check.checked) {
    if (key === undefined || verdict.outcome === 'ok') continue;
    const finding = referenceFinding(reference, key, verdict);
    if (finding) into.push(finding);
  }
}

/**
 * A commit: the incidents of the batches since the last one, then the checkpoint as the progress
 * stood after them. In that order (see `commit-queue.ts`): a run killed in between records the
 * same incidents again on resume, which updates rather than duplicates them, while every count
 * comes from the checkpoint alone. The state is taken now; the incident counts, which only records
 * change, are added from what this commit's record left them at.
 */
function queueCommit(commits: CommitQueue, job: ScanJob, progress: ScanProgress, findings: Finding[]) {
  const { ledger, reference } = job.input;
  const state = progress.toState({ field: reference.field, target: reference.target });
  const event = checkpointEvent(reference.name, progress);
  const record = async () => {
    const incidents = ledger.collection('incidents');
    const now = new Date(job.clock()).toISOString();
    const recorded = await recordFindings(
      incidents,
      findings,
      progress.scanId,
      now,
      keep(reference, progress),
    );
    progress.counters.incidentsOpened += recorded.opened;
    progress.counters.incidentsUpdated += recorded.updated;
    const { incidentsOpened, incidentsUpdated } = progress.counters;
    return { incidentsOpened, incidentsUpdated };
  };
  const save = async (incidentCounts: { incidentsOpened: number; incidentsUpdated: number }) => {
    const counters = { ...(state.counters as JsonObject), ...incidentCounts };
    await ledger.checkpoints.save(job.name, { ...state, counters }, job.lease);
    job.input.onEvent?.(event);
  };
  return commits.queue(record, save);
}

function keep(reference: ResolvedReference, progress: ScanProgress): KeepUnchanged {
  const horizon = reference.revalidateAfterMs;
  const withinMs = horizon === undefined ? sightingIntervalMs : Math.min(sightingIntervalMs, horizon / 2);
  return { withinMs, kept: progress.keptIncidents, maxKept: maxKeptIncidents };
}

function checkpointEvent(reference: string, progress: ScanProgress): ScanEvent {
  const { orphans, typeMismatches, missingRequired, scanned } = progress.counters;
  return { type: 'checkpoint', reference, scanned, problems: orphans + typeMismatches + missingRequired };
}
