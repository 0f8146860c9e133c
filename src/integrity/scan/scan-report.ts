import type { DocKey, Segment } from '../../stores/store.js';
import type { ResolvedReference } from '../reference.js';
import type { DistinctCount } from './distinct-counter.js';
import type { ScanCounters, ScanProgress } from './scan-progress.js';

/**
 * What `refs scan` found for one reference (one segment of its source). Every document scanned
 * has exactly one outcome, so ok + nulls + absent + orphans + typeMismatches + missingRequired =
 * scanned. Counts are true counts over the whole scan; only `orphanSample` is cut short.
 */
export interface ReferenceScanReport extends Omit<ScanCounters, 'incidentsOpened' | 'incidentsUpdated'> {
  readonly reference: string;
  readonly collection: string;
  readonly field: string;
  readonly target: string;
  readonly segment: Segment | null;
  readonly scanId: string;
  readonly startedAt: string;
  /** True when this run continued from a checkpoint a previous run left. */
  readonly resumed: boolean;
  /**
   * True when the source's store checked the reference itself (SQLite, both collections in one
   * file): the outcomes are the same, but `keysChecked` and `distinctTargetKeys` then count only
   * the keys of documents the store could not resolve, and each page is one of the `lookups`.
   */
  readonly pushedDown: boolean;
  /** Set when the scan was stopped on request before the end: its counts so far, checkpointed. */
  readonly interrupted?: boolean;
  /** Distinct target keys met; exact up to a budget, then an estimate (`exact: false`). */
  readonly distinctTargetKeys: DistinctCount;
  /** Distinct keys that exist in no form; exact up to a budget, then an estimate. */
  readonly distinctMissingKeys: DistinctCount;
  /** The first orphaned source documents' keys, in scan order (at most 20). */
  readonly orphanSample: readonly DocKey[];
  readonly incidents: {
    /** New or reopened by this scan. */
    readonly opened: number;
    /** Already open and seen again. */
    readonly updated: number;
    /** Open incidents this scan did not see that turned out fixed, now closed. */
    readonly closed: number;
    /** Open incidents this scan did not see that are still broken (other segments' among them). */
    readonly stillOpen: number;
  };
  /** Time spent scanning, over every run that made progress (a resumed scan adds its runs). */
  readonly durationMs: number;
  readonly docsPerSecond: number;
}

/** Documents of a report with a problem: orphans, type mismatches and missing required references. */
export function problemCount(
  report: Pick<ReferenceScanReport, 'orphans' | 'typeMismatches' | 'missingRequired'>,
): number {
  return report.orphans + report.typeMismatches + report.missingRequired;
}

/** Builds the report of a finished scan from its progress. Pure. */
export function scanReport(
  reference: ResolvedReference,
  segment: Segment | undefined,
  progress: ScanProgress,
): ReferenceScanReport {
  const { incidentsOpened, incidentsUpdated, ...counters } = progress.counters;
  const seconds = progress.elapsedMs / 1000;
  return {
    reference: reference.name,
    collection: reference.collection,
    field: reference.field,
    target: reference.target,
    segment: segment ?? null,
    scanId: progress.scanId,
    startedAt: progress.startedAt,
    resumed: progress.resumed,
    pushedDown: progress.pushedDown,
    ...counters,
    distinctTargetKeys: progress.distinctTargetKeys(),
    distinctMissingKeys: progress.distinctMissingKeys(),
    orphanSample: [...progress.orphanSample],
    incidents: {
      opened: incidentsOpened,
      updated: incidentsUpdated,
      closed: progress.reverified?.closed ?? 0,
      stillOpen: progress.reverified?.stillOpen ?? 0,
    },
    durationMs: Math.round(progress.elapsedMs),
    docsPerSecond: seconds > 0 ? Math.round(counters.scanned / seconds) : 0,
  };
}
