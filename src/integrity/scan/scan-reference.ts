import { randomBytes } from 'node:crypto';
import { type Clock, systemClock } from '../../ledger/clock.js';
import type { Lease } from '../../ledger/lease.js';
import { LeaseKeeper } from '../../ledger/lease-keeper.js';
import type { Segment } from '../../stores/store.js';
import { acquireScanLease } from './acquire-scan-lease.js';
import { reverifyIncidents } from './reverify-incidents.js';
import { recordScanFigures } from './scan-figures.js';
import type { ScanJob, ScanReferenceInput } from './scan-input.js';
import { ScanProgress } from './scan-progress.js';
import { type ReferenceScanReport, scanReport } from './scan-report.js';
import { scanSource } from './scan-source.js';

export type { ScanEvent, ScanReferenceInput } from './scan-input.js';
export { defaultBatch } from './scan-source.js';

const defaultLeaseTtlMs = 60_000;

/** The ledger job (lease and checkpoint name) of one segment of a reference's scan. */
export function scanJobName(reference: string, segment: Segment = { index: 0, total: 1 }): string {
  return `refs-scan:${reference}:${segment.index}/${segment.total}`;
}

/**
 * Scans the source of a reference for documents whose reference points at nothing, one page at a
 * time: each page's distinct keys are looked up in the target with one existingKeys call (see
 * `check-batch.ts`; with a small target preloaded, one call for a group of pages, see
 * `checked-pages.ts`), every problem becomes an incident, and about every five seconds the resume
 * token and the running counts are checkpointed in the ledger, under a lease on the (reference, segment), so
 * a killed scan resumes where it stopped and reports exactly what an uninterrupted one would.
 *
 * When the source is done it looks again at the reference's open incidents it did not see,
 * closing those fixed meanwhile, appends one audit record, records its figures for repair's
 * circuit breaker (`scan-figures.ts`) and clears its checkpoint. Stopped by `input.signal`, it
 * returns after the batch in flight with `interrupted` set, its checkpoint saved. Throws
 * `lease.held` when another process scans the same segment, and the stores' own errors
 * (`store.unreachable`...) as they come.
 */
export async function scanReference(input: ScanReferenceInput): Promise<ReferenceScanReport> {
  const { ledger, reference } = input;
  const clock = input.clock ?? systemClock;
  const ttlMs = input.leaseTtlMs ?? defaultLeaseTtlMs;
  const job = scanJobName(reference.name, input.segment);
  await ledger.openCollection('incidents');
  const lease = await acquireScanLease(input, job, ttlMs, clock);
  try {
    const progress = await startingPoint(input, job, lease, clock);
    input.onEvent?.({
      type: 'started',
      reference: reference.name,
      resumedAt: progress.resumed ? progress.counters.scanned : null,
    });
    const keeper = new LeaseKeeper(lease, ttlMs, clock);
    const running: ScanJob = { input, name: job, lease, clock };
    if (!progress.complete) await scanSource(running, keeper, progress);
    if (!progress.complete) return { ...scanReport(reference, input.segment, progress), interrupted: true };
    if (!progress.reverified) await finish(running, progress);
    const report = scanReport(reference, input.segment, progress);
    await ledger.audit.append({
      action: 'refs.scan',
      subject: reference.name,
      details: auditDetails(report),
    });
    await recordScanFigures(ledger, {
      reference: reference.name,
      scanId: report.scanId,
      segment: input.segment ?? { index: 0, total: 1 },
      scanned: report.scanned,
      orphans: report.orphans + report.missingRequired,
      completedAt: new Date(clock()).toISOString(),
    });
    await ledger.checkpoints.clearClaimed(job, lease);
    return report;
  } finally {
    await lease.release().catch(() => undefined);
  }
}

/** The checkpoint to resume from (claimed for this lease), or a fresh start. */
async function startingPoint(input: ScanReferenceInput, job: string, lease: Lease, clock: Clock) {
  const saved = await input.ledger.checkpoints.load(job, lease);
  const where = { field: input.reference.field, target: input.reference.target };
  const resumed = saved && !input.restart ? ScanProgress.fromState(saved, where) : undefined;
  return resumed ?? new ScanProgress(newScanId(), new Date(clock()).toISOString());
}

/**
 * Re-verifies the open incidents this scan did not see, and saves that it did when it closed
 * some: a run killed after that resumes without closing them again, so its report still counts
 * them. When it closed none, a resumed run re-verifies again and finds the same, so the save (a
 * write and a lease check) is skipped.
 */
async function finish(job: ScanJob, progress: ScanProgress): Promise<void> {
  const { input, clock } = job;
  const { ledger, reference } = input;
  progress.reverified = await reverifyIncidents({
    reference,
    source: input.source,
    target: input.target,
    incidents: ledger.collection('incidents'),
    select: (incident) => incident.scanId !== progress.scanId && !progress.keptIncidents.has(incident.id),
    now: () => new Date(clock()).toISOString(),
  });
  if (progress.reverified.closed === 0) return;
  const state = progress.toState({ field: reference.field, target: reference.target });
  await ledger.checkpoints.save(job.name, state, job.lease);
}

function auditDetails(report: ReferenceScanReport) {
  const segment = report.segment ? `${report.segment.index}/${report.segment.total}` : '0/1';
  return {
    scanId: report.scanId,
    segment,
    scanned: report.scanned,
    ok: report.ok,
    nulls: report.nulls,
    absent: report.absent,
    orphans: report.orphans,
    distinctMissingKeys: report.distinctMissingKeys.count,
    typeMismatches: report.typeMismatches,
    missingRequired: report.missingRequired,
    incidentsOpened: report.incidents.opened,
    incidentsClosed: report.incidents.closed,
    resumed: report.resumed,
  };
}

function newScanId(): string {
  return `scan-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
}
