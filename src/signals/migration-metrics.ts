import type { MigrationEvent } from '../migrations/apply/migration-events.js';
import type { StewardMetrics } from './steward-metrics.js';

/**
 * A listener counting migration events in the metrics: the documents each stage has processed
 * (changed, skipped or failed) per collection. Apply's counts run on from the canary into the
 * rest, so the rest's gauge is what came after the canary's. The documents planned are set by
 * {@link recordPlannedDocuments}, and how the run ended by {@link recordMigrationRun}.
 */
export function migrationMetricsListener(metrics: StewardMetrics): (event: MigrationEvent) => void {
  const canary = new Map<string, number>();
  return (event) => {
    if (event.type !== 'progress') return;
    const { changed, skipped, failed } = event.counts;
    const processed = changed + skipped + failed;
    const id = `${event.migration}\n${event.collection}`;
    if (event.stage === 'canary') canary.set(id, processed);
    const before = event.stage === 'rest' ? (canary.get(id) ?? 0) : 0;
    metrics.migrationDone.set(
      { migration: event.migration, stage: event.stage, collection: event.collection },
      processed - before,
    );
  };
}

/** The documents of a migration's collection, as the store estimated them when the migration started. */
export function recordPlannedDocuments(
  metrics: StewardMetrics,
  migration: string,
  collection: string,
  documents: number,
): void {
  metrics.migrationPlanned.set({ migration, collection }, documents);
}

/** One apply or rollback run ended: `applied`, `paused`, `gate-failed`, `rolled-back`, `refused`... */
export function recordMigrationRun(metrics: StewardMetrics, direction: 'up' | 'down', outcome: string): void {
  metrics.migrationRuns.inc({ direction, outcome });
}
