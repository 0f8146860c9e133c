import { performance } from 'node:perf_hooks';
import type { ResolvedReference } from '../../config/resolve-references.js';
import type { JsonObject } from '../../core/json.js';
import { type Finding, recordFindings } from '../../ledger/incidents.js';
import { scanPages } from '../../stores/scan-pages.js';
import { type BatchCheck, checkBatch } from './check-batch.js';
import { CommitQueue } from './commit-queue.js';
import { KnownKeys } from './known-keys.js';
import type { LeaseKeeper } from './lease-keeper.js';
import { readAhead } from './read-ahead.js';
import { referenceFinding } from './reference-finding.js';
import type { ScanEvent, ScanJob } from './scan-input.js';
import type { ScanProgress } from './scan-progress.js';
import { takeTokens, tokenBucket } from './token-bucket.js';

/** Source documents per batch unless told otherwise. */
export const defaultBatch = 1000;

/**
 * The scan proper: reads the source page by page from where the progress stands (the next page
 * already being read while one is checked), checks each page against the target, counts it, and
 * commits its incidents and checkpoint in the background of the next page (see `commit-queue.ts`).
 * Renews the lease as it goes and keeps to the rate limit.
 */
export async function scanSource(job: ScanJob, keeper: LeaseKeeper, progress: ScanProgress): Promise<void> {
  const { input, clock } = job;
  const { reference, source, target } = input;
  const commits = new CommitQueue();
  const known = new KnownKeys();
  let bucket = input.rate ? tokenBucket(input.rate, clock()) : undefined;
  let since = performance.now();
  const pages = scanPages(source, {
    after: progress.after,
    limit: input.batch ?? defaultBatch,
    ...(input.segment ? { segment: input.segment } : {}),
  });
  for await (const page of readAhead(pages)) {
    const check = await checkBatch(page.docs, reference, source.spec, target, known);
    for (const { key, verdict } of check.checked) progress.tally(key, verdict);
    progress.lookedUp(check.keyIds, check.lookups);
    progress.after = page.next;
    progress.complete = page.next === null;
    const now = performance.now();
    progress.elapsedMs += now - since;
    since = now;
    await queueCommit(commits, job, progress, findingsOf(reference, check));
    await keeper.renewIfDue();
    if (bucket && page.next !== null) {
      const taken = takeTokens(bucket, page.docs.length, clock());
      bucket = taken.bucket;
      await keeper.pause(taken.waitMs); // counted in the duration: docs/s is the rate achieved
    }
  }
  await commits.flush();
}

function findingsOf(reference: ResolvedReference, check: BatchCheck): Finding[] {
  return check.checked.flatMap(({ key, verdict }) => {
    const finding = key === undefined ? undefined : referenceFinding(reference, key, verdict);
    return finding ? [finding] : [];
  });
}

/**
 * A batch's commit: its incidents, then the checkpoint as the progress stood after the batch. In
 * that order (see `commit-queue.ts`): a run killed in between records the same incidents again on
 * resume, which updates rather than duplicates them, while every count comes from the checkpoint
 * alone. The state is taken now; the incident counts, which only records change, are added from
 * what this batch's record left them at.
 */
function queueCommit(commits: CommitQueue, job: ScanJob, progress: ScanProgress, findings: Finding[]) {
  const { ledger, reference } = job.input;
  const state = progress.toState({ field: reference.field, target: reference.target });
  const event = checkpointEvent(reference.name, progress);
  const record = async () => {
    const incidents = ledger.store.collection(ledger.namespace.incidents);
    const now = new Date(job.clock()).toISOString();
    const recorded = await recordFindings(incidents, findings, progress.scanId, now);
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

function checkpointEvent(reference: string, progress: ScanProgress): ScanEvent {
  const { orphans, typeMismatches, missingRequired, scanned } = progress.counters;
  return { type: 'checkpoint', reference, scanned, problems: orphans + typeMismatches + missingRequired };
}
