import type { MigrationEvent } from '../migrations/apply/migration-events.js';
import type { StewardMetrics } from './steward-metrics.js';

/**
 * Counts a migration event in the metrics: documents each stage has processed (changed, skipped
 * or failed) per collection. The documents planned are set by {@link recordPlannedDocuments}, and
 * how the run ended by {@link recordMigrationRun}.
 */
export function recordMigrationEvent(metrics: StewardMetrics, event: MigrationEvent): void {
  if (event.type !== 'progress') return;
  const { changed, skipped, failed } = event.counts;
  metrics.migrationDone.set(
    { migration: event.migration, stage: event.stage, collection: event.collection },
    changed + skipped + failed,
  );
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
