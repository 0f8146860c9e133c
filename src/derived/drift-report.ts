import { formatCount } from '../core/format-count.js';
import type { JsonValue } from '../core/json.js';
import type { DocKey } from '../stores/store.js';
import type { ElementRef } from './derived-rows.js';

/**
 * A derived value that differs from what its source gives now, or (`kind: 'missing-snapshot'`) a
 * snapshot that is absent where its source gives a value.
 */
export interface DriftFinding {
  readonly key: DocKey;
  /** The declared field (`lines[].line_total` for a value in array elements). */
  readonly field: string;
  /** For a value in an array element: which element. */
  readonly element?: ElementRef;
  readonly expected: JsonValue;
  readonly actual: JsonValue;
  /** Absent for drift. */
  readonly kind?: 'missing-snapshot';
}

/**
 * What a check found of a snapshot, which keeps the value of its moment: its difference from the
 * current source is by design, so it is counted here as information, never as drift and never in
 * the exit code. What can be checked, that a snapshot is present where its source gives a value,
 * is: `missing` counts those absent (they are findings, and incidents).
 */
export interface SnapshotInfo {
  /** Snapshots that differ from what their source gives now. */
  differsFromSource: number;
  /** Snapshots absent (or null) where their source link resolves to a value: findings. */
  missing: number;
  /** The first differences, for information. */
  readonly differences: DriftFinding[];
}

/** A document whose recomputation failed (a transformation that threw); the others go on. */
export interface RecomputeFailure {
  readonly key: DocKey;
  readonly reason: string;
}

export type DriftMethod = 'exact' | 'sampling' | 'hash' | 'window' | 'checkpoint';

/** What one drift check of one derived state found. */
export interface DriftReport {
  readonly derived: string;
  readonly method: DriftMethod;
  readonly scanId: string;
  /** Derived documents compared (after sampling). */
  checked: number;
  /** Derived documents read. */
  scanned: number;
  drift: number;
  /**
   * Findings (drift, and missing snapshots), the first {@link maxListed}; `drift` and
   * `snapshot.missing` count them all. `truncated` says some were left out, and `rest` how to
   * list them all.
   */
  readonly findings: DriftFinding[];
  truncated: boolean;
  rest?: string;
  /** For a snapshot: its differences from the source (information) and missing snapshots. */
  snapshot?: SnapshotInfo;
  /** Copies whose source document does not exist: orphans of `via`, not drift. */
  orphans: number;
  /** Copies whose `via` field is null or missing: no source, so neither drift nor an orphan (`refs scan` counts them as nulls). */
  unlinked: number;
  readonly failures: RecomputeFailure[];
  failed: number;
  /** Mismatches seen during the scan that a re-read showed were live writes, not drift. */
  cleared: number;
  readonly incidents: { opened: number; updated: number; closed: number };
  /** Hash method only: groups, groups whose hashes differed, documents compared one by one. */
  hash?: { groups: number; differing: number; fetched: number };
  /**
   * Window method only: source documents changed since `since` (read with a filter on the
   * `changedAt` field) and the distinct derived documents they named.
   */
  window?: { since: string; changedSources: number; derivedKeys: number };
  /** Checkpoint method only: derived documents whose stored source version was behind the latest. */
  checkpoint?: { behind: number };
  /**
   * Stopped by the caller's signal after a page (exact and sampling methods): the counts cover the
   * pages read, and no incident was closed, since the pages not read could still hold it.
   */
  interrupted?: boolean;
  elapsedMs: number;
}

/** Findings and failures listed in a report; the counts cover everything. */
export const maxListed = 1000;

export function emptyReport(derived: string, method: DriftMethod, scanId: string): DriftReport {
  return {
    derived,
    method,
    scanId,
    checked: 0,
    scanned: 0,
    drift: 0,
    findings: [],
    truncated: false,
    orphans: 0,
    unlinked: 0,
    failures: [],
    failed: 0,
    cleared: 0,
    incidents: { opened: 0, updated: 0, closed: 0 },
    elapsedMs: 0,
  };
}

/** Differences of a snapshot listed for information. */
export const maxDifferencesListed = 20;

/** Adds a finding to the listed ones, or notes that the list was cut, and how to get the rest. */
export function listFinding(report: DriftReport, finding: DriftFinding): void {
  if (report.findings.length < maxListed) {
    report.findings.push(finding);
    return;
  }
  report.truncated = true;
  report.rest = `steward drift incidents ${report.derived} --status open --json`;
}

/** The snapshot part of a report, made when first needed. */
export function snapshotInfo(report: DriftReport): SnapshotInfo {
  report.snapshot ??= { differsFromSource: 0, missing: 0, differences: [] };
  return report.snapshot;
}

/** How a value's place reads in a report line: the key, and for an element, which one. */
function place(f: DriftFinding): string {
  if (!f.element) return JSON.stringify(f.key);
  const at = f.element.key === undefined ? String(f.element.index) : JSON.stringify(f.element.key);
  return `${JSON.stringify(f.key)} ${f.field.slice(0, f.field.indexOf('[]'))}[${at}]`;
}

/** Human-readable lines of a report. */
export function renderDriftReport(r: DriftReport): string[] {
  const lines = [
    `${r.derived} (${r.method}): ${formatCount(r.checked)} checked of ${formatCount(r.scanned)} read, ${formatCount(r.drift)} drifted, ` +
      `${formatCount(r.orphans)} orphaned copies, ${r.unlinked > 0 ? `${formatCount(r.unlinked)} without a link, ` : ''}${formatCount(r.failed)} failed, ${formatCount(r.cleared)} cleared by a re-read (${Math.round(r.elapsedMs)} ms)`,
  ];
  if (r.snapshot)
    lines.push(
      `  snapshot: ${formatCount(r.snapshot.differsFromSource)} differ from the source now (by design: not drift), ${formatCount(r.snapshot.missing)} missing where the source gives a value`,
    );
  if (r.hash)
    lines.push(
      `  hash: ${formatCount(r.hash.groups)} group(s), ${formatCount(r.hash.differing)} differing, ${formatCount(r.hash.fetched)} document(s) compared`,
    );
  if (r.window)
    lines.push(
      `  window: ${formatCount(r.window.changedSources)} source document(s) changed since ${r.window.since}, naming ${formatCount(r.window.derivedKeys)} derived document(s)`,
    );
  if (r.checkpoint)
    lines.push(`  checkpoint: ${formatCount(r.checkpoint.behind)} document(s) behind their source version`);
  for (const f of r.findings.slice(0, 20))
    lines.push(
      f.kind === 'missing-snapshot'
        ? `  missing snapshot ${place(f)}: the source gives ${JSON.stringify(f.expected)}`
        : `  drift ${place(f)}: stored ${JSON.stringify(f.actual)}, source gives ${JSON.stringify(f.expected)}`,
    );
  const found = r.drift + (r.snapshot?.missing ?? 0);
  if (found > 20)
    lines.push(
      `  ... and ${formatCount(found - 20)} more: steward drift incidents ${r.derived} lists them all (--limit and --cursor page through them)`,
    );
  for (const f of r.snapshot?.differences.slice(0, 5) ?? [])
    lines.push(
      `  snapshot ${place(f)} holds ${JSON.stringify(f.actual)}, the source gives ${JSON.stringify(f.expected)} now`,
    );
  for (const f of r.failures.slice(0, 20)) lines.push(`  failed ${JSON.stringify(f.key)}: ${f.reason}`);
  lines.push(
    `  incidents: ${formatCount(r.incidents.opened)} opened, ${formatCount(r.incidents.updated)} updated, ${formatCount(r.incidents.closed)} closed`,
  );
  return lines;
}
