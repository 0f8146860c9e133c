import { formatCount } from '../../core/format-count.js';
import type { DerivedStatus } from './derived-status.js';

/** A duration in the largest unit that keeps it readable: 42s, 5m, 3h, 2d. */
export function formatDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 120) return `${s}s`;
  if (s < 7200) return `${Math.round(s / 60)}m`;
  if (s < 172_800) return `${Math.round(s / 3600)}h`;
  return `${Math.round(s / 86_400)}d`;
}

/** The status of each derived state as lines for a terminal. */
export function renderStatus(statuses: readonly DerivedStatus[]): string[] {
  return statuses.flatMap((s) => {
    // No allowance is null too: a snapshot, or a manual refresh without one, promises no age.
    const allowance =
      s.stalenessMs !== null
        ? formatDuration(s.stalenessMs)
        : s.state === 'not-applicable'
          ? 'none'
          : 'immediate';
    const lag = s.lagMs === null ? 'unknown' : formatDuration(s.lagMs);
    const versions =
      s.minSourceVersion === undefined && s.latestSourceVersion === undefined
        ? []
        : [
            `  source version ${String(s.minSourceVersion ?? '-')}..${String(s.maxSourceVersion ?? '-')} found, latest ${String(s.latestSourceVersion ?? 'not declared')}`,
          ];
    return [
      `${s.derived}  ${s.state}: ${s.reason}`,
      `  ${formatCount(s.documents)} document(s), oldest projected at ${s.oldestProjectedAt ?? 'never'}, lag ${lag}, allowance ${allowance} (${s.refresh})`,
      `  without metadata ${formatCount(s.withoutMetadata)}, older than allowance ${formatCount(s.olderThanAllowance)}, old projection version ${formatCount(s.oldProjectionVersion)}, ${s.incidentKind === 'drift' ? 'open drift incidents' : 'missing snapshots'} ${formatCount(s.openIncidents)}`,
      ...versions,
    ];
  });
}
