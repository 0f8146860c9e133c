import { formatCount } from '../core/format-count.js';
import type { JsonValue } from '../core/json.js';
import type { DocKey } from '../stores/store.js';
import type { ElementRef } from './derived-rows.js';
import type { WriteOutcome } from './write-derived.js';

/** What a repair or rebuild of one derived state did, with the first problems listed. */
export interface RepairReport {
  readonly derived: string;
  readonly action: 'drift repair' | 'rebuild' | 'backfill';
  readonly dryRun: boolean;
  /** Documents (repair: open incidents) looked at. */
  examined: number;
  written: number;
  unchanged: number;
  skipped: number;
  failed: number;
  /** Incidents closed: written, or found already correct or gone. */
  closed: number;
  /** Stopped by the caller's signal after a batch; a rerun goes on with the incidents left open. */
  interrupted?: boolean;
  /** Documents examined by earlier, interrupted runs of the same job (0: a fresh start). */
  resumedAt?: number;
  /** Skipped and failed values, the first 1000 (of this run: earlier runs' are not kept). */
  readonly problems: {
    key: DocKey;
    element?: ElementRef;
    status: string;
    reason: string;
    detail?: JsonValue;
  }[];
}

export function emptyRepairReport(
  derived: string,
  action: RepairReport['action'],
  dryRun: boolean,
): RepairReport {
  return {
    derived,
    action,
    dryRun,
    examined: 0,
    written: 0,
    unchanged: 0,
    skipped: 0,
    failed: 0,
    closed: 0,
    problems: [],
  };
}

/** Adds one batch's outcomes to a report. */
export function tallyOutcomes(report: RepairReport, outcomes: readonly WriteOutcome[]): void {
  for (const o of outcomes) {
    report[
      o.status === 'written'
        ? 'written'
        : o.status === 'unchanged'
          ? 'unchanged'
          : o.status === 'skipped'
            ? 'skipped'
            : 'failed'
    ]++;
    if ((o.status === 'skipped' || o.status === 'failed') && report.problems.length < 1000)
      report.problems.push({
        key: o.key,
        ...(o.element ? { element: o.element } : {}),
        status: o.status,
        reason: o.reason,
        ...(o.status === 'skipped' && o.detail ? { detail: o.detail } : {}),
      });
  }
}

/** True when something was not done: a rerun, a fix or an approval is needed. */
export function repairNeedsAttention(report: RepairReport): boolean {
  return report.skipped > 0 || report.failed > 0;
}

/**
 * The report as `--json` shows it: a dry run wrote nothing, so its count is `wouldWrite`, never
 * `written` (a script reading "written" of a dry run would believe the data changed).
 */
export function repairReportJson(r: RepairReport): Omit<RepairReport, 'written'> & {
  written?: number;
  wouldWrite?: number;
} {
  if (!r.dryRun) return r;
  const { written, ...rest } = r;
  return { ...rest, wouldWrite: written };
}

export function renderRepairReport(r: RepairReport): string[] {
  const lines = [
    `${r.derived} (${r.action}${r.dryRun ? ', dry run' : ''}): ${formatCount(r.examined)} examined, ${formatCount(r.written)} ${r.dryRun ? 'would be written' : 'written'}, ` +
      `${formatCount(r.unchanged)} already correct, ${formatCount(r.skipped)} skipped, ${formatCount(r.failed)} failed, ${formatCount(r.closed)} incident(s) closed`,
  ];
  if (r.resumedAt)
    lines.push(
      `  resumed from a checkpoint after ${formatCount(r.resumedAt)} document(s); counts cover the whole job`,
    );
  for (const p of r.problems.slice(0, 20)) {
    const at = p.element
      ? ` element ${p.element.key === undefined ? p.element.index : JSON.stringify(p.element.key)}`
      : '';
    lines.push(
      `  ${p.status} ${JSON.stringify(p.key)}${at}: ${p.reason}${p.detail ? ` (${String(p.detail)})` : ''}`,
    );
  }
  if (r.problems.some((p) => p.reason === 'snapshot'))
    lines.push('  snapshots are left alone: rerun with --force and an approval (see docs/derived.md)');
  return lines;
}
