import type { JsonValue } from '../core/json.js';
import type { DocKey } from '../stores/store.js';

/** A derived value that differs from what its source gives now. */
export interface DriftFinding {
  readonly key: DocKey;
  readonly field: string;
  readonly expected: JsonValue;
  readonly actual: JsonValue;
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
  /** Findings, the first {@link maxListed}; `drift` counts them all. */
  readonly findings: DriftFinding[];
  /** Copies whose source document does not exist: orphans of `via`, not drift. */
  orphans: number;
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
    orphans: 0,
    failures: [],
    failed: 0,
    cleared: 0,
    incidents: { opened: 0, updated: 0, closed: 0 },
    elapsedMs: 0,
  };
}

/** Human-readable lines of a report. */
export function renderDriftReport(r: DriftReport): string[] {
  const lines = [
    `${r.derived} (${r.method}): ${r.checked} checked of ${r.scanned} read, ${r.drift} drifted, ` +
      `${r.orphans} orphaned copies, ${r.failed} failed, ${r.cleared} cleared by a re-read (${Math.round(r.elapsedMs)} ms)`,
  ];
  if (r.hash)
    lines.push(
      `  hash: ${r.hash.groups} group(s), ${r.hash.differing} differing, ${r.hash.fetched} document(s) compared`,
    );
  if (r.window)
    lines.push(
      `  window: ${r.window.changedSources} source document(s) changed since ${r.window.since}, naming ${r.window.derivedKeys} derived document(s)`,
    );
  if (r.checkpoint)
    lines.push(`  checkpoint: ${r.checkpoint.behind} document(s) behind their source version`);
  for (const f of r.findings.slice(0, 20))
    lines.push(
      `  drift ${JSON.stringify(f.key)}: stored ${JSON.stringify(f.actual)}, source gives ${JSON.stringify(f.expected)}`,
    );
  if (r.drift > 20) lines.push(`  ... and ${r.drift - 20} more (steward --json drift check for all)`);
  for (const f of r.failures.slice(0, 20)) lines.push(`  failed ${JSON.stringify(f.key)}: ${f.reason}`);
  lines.push(
    `  incidents: ${r.incidents.opened} opened, ${r.incidents.updated} updated, ${r.incidents.closed} closed`,
  );
  return lines;
}
