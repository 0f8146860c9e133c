import { formatCount } from '../../core/format-count.js';
import { renderKey } from '../../core/key-text.js';
import type { DocKey } from '../../stores/store.js';
import type { DistinctCount } from './distinct-counter.js';
import type { StaleReport } from './revalidate-stale.js';
import { problemCount, type ReferenceScanReport } from './scan-report.js';

const n = formatCount;
const distinct = (d: DistinctCount): string => (d.exact ? n(d.count) : `about ${n(d.count)}`);
const plural = (count: number, word: string): string => `${n(count)} ${word}${count === 1 ? '' : 's'}`;
const duration = (ms: number): string => (ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`);
/** Keys in the one form every report prints (see `renderKey`). */
const key = (k: DocKey): string => renderKey(k);

/**
 * The target keys the scan met; when the store checked the reference itself it only sent out the
 * unresolved documents, so the count would say little and is not shown.
 */
function keysMet(report: ReferenceScanReport): string {
  if (report.pushedDown) return 'checked inside the store';
  return `${distinct(report.distinctTargetKeys)} distinct target keys`;
}

/** The human-readable lines of one reference's scan, as `refs scan` prints them. Pure. */
export function renderScanReport(report: ReferenceScanReport): string[] {
  const segment = report.segment ? ` segment ${report.segment.index}/${report.segment.total}` : '';
  const verdict = problemCount(report) === 0 ? 'clean' : `${n(problemCount(report))} with problems`;
  const lines = [
    `${report.reference} -> ${report.target}${segment}: ${verdict}${report.resumed ? ' (resumed from a checkpoint)' : ''}`,
    `  scanned ${plural(report.scanned, 'document')} in ${duration(report.durationMs)} ` +
      `(${n(report.docsPerSecond)} docs/s), ${keysMet(report)}, ${plural(report.lookups, 'lookup')}`,
    `  ok ${n(report.ok)}, null ${n(report.nulls)}, absent ${n(report.absent)}, ` +
      `orphans ${n(report.orphans)} (${distinct(report.distinctMissingKeys)} distinct missing keys), ` +
      `type mismatches ${n(report.typeMismatches)}, missing required ${n(report.missingRequired)}`,
  ];
  if (report.orphanSample.length > 0) {
    const more =
      report.orphans > report.orphanSample.length
        ? `, and ${n(report.orphans - report.orphanSample.length)} more`
        : '';
    lines.push(`  orphaned: ${report.orphanSample.map(key).join(', ')}${more}`);
  }
  const i = report.incidents;
  lines.push(
    `  incidents: ${n(i.opened)} opened, ${n(i.updated)} seen again, ${n(i.closed)} closed as fixed` +
      (i.stillOpen > 0 ? `, ${n(i.stillOpen)} not seen by this scan still open` : ''),
  );
  return lines;
}

/** The line of one reference's `refs scan --stale-only`. Pure. */
export function renderStaleReport(report: StaleReport): string {
  if (report.horizonMs === null)
    return `${report.reference}: no revalidateAfter declared, nothing rechecked (run a full scan)`;
  return (
    `${report.reference}: rechecked ${n(report.checked)} open incidents last checked before ${report.checkedBefore}: ` +
    `${n(report.closed)} closed as fixed, ${n(report.stillOpen)} still open`
  );
}
