import type { DriftReport } from '../derived/drift-report.js';
import type { RepairReport } from '../derived/repair-report.js';
import type { DerivedStatus } from '../derived/status/derived-status.js';
import type { StewardMetrics } from './steward-metrics.js';

/** A finished drift check of one derived state: its drift now, the drift found, how long it took. */
export function recordDriftCheck(metrics: StewardMetrics, report: DriftReport): void {
  const labels = { derived: report.derived };
  metrics.drift.set(labels, report.drift);
  metrics.driftFound.inc(labels, report.drift);
  metrics.driftCheckDuration.observe(labels, report.elapsedMs / 1000);
}

/** A drift repair of one derived state: its documents by outcome. A dry run changes nothing, so counts nothing. */
export function recordDriftRepair(metrics: StewardMetrics, report: RepairReport): void {
  if (report.dryRun) return;
  for (const outcome of ['written', 'unchanged', 'skipped', 'failed'] as const)
    metrics.driftRepairs.inc({ derived: report.derived, outcome }, report[outcome]);
}

/**
 * A derived state's freshness against its policy (`derived status`): the projection lag, the
 * allowance, and whether it was kept. Lag or allowance unknown: that series is removed rather
 * than left at an old value.
 */
export function recordDerivedStatus(metrics: StewardMetrics, status: DerivedStatus): void {
  const labels = { derived: status.derived };
  if (status.lagMs === null) metrics.derivedLag.remove(labels);
  else metrics.derivedLag.set(labels, status.lagMs / 1000);
  if (status.stalenessMs === null) metrics.derivedStalenessAllowance.remove(labels);
  else metrics.derivedStalenessAllowance.set(labels, status.stalenessMs / 1000);
  if (status.state === 'within' || status.state === 'outside')
    metrics.derivedWithinPolicy.set(labels, status.state === 'within' ? 1 : 0);
  else metrics.derivedWithinPolicy.remove(labels);
}
