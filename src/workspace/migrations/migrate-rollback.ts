import type { ResolvedConfig } from '../../config/resolved-config.js';
import type { MigrationEvent } from '../../migrations/apply/migration-events.js';
import { rollbackMigrations } from '../../migrations/rollback/rollback-migrations.js';
import type { RollbackReport } from '../../migrations/rollback/rollback-report.js';
import type { SignalWarning } from '../../signals/signals.js';
import type { RunOptions } from '../run-options.js';
import { withMigrationRun } from './with-migration-run.js';

/** What to roll back, and how fast. */
export interface MigrateRollbackInput {
  /** Roll back every applied migration down to and including this id; default the last one. */
  readonly to?: string;
  /** At most this many documents per second; default the config's `migrations.rate`, else no limit. */
  readonly rate?: number;
}

/** What the rollback did, and the lineage sinks that did not take its events. */
export interface MigrateRollbackResult {
  readonly report: RollbackReport;
  readonly warnings: SignalWarning[];
}

/**
 * Reverses applied migrations exactly, newest first: each document apply changed is put back from
 * its before-image while its version field still holds what apply wrote (a document changed since
 * is converted by an exact down(), or restored with the later content kept in the ledger); then a
 * census by version, the before-validators and checksums. Checkpointed: rerun to resume.
 */
export function migrateRollback(
  config: ResolvedConfig,
  input: MigrateRollbackInput = {},
  options: RunOptions<MigrationEvent> = {},
): Promise<MigrateRollbackResult> {
  const rate = input.rate ?? config.migrations.rate;
  return withMigrationRun(config, options, async (run) => {
    const report = await rollbackMigrations({
      ...run,
      batchSize: config.migrations.batchSize,
      ...(rate === undefined ? {} : { rate }),
      ...(input.to === undefined ? {} : { to: input.to }),
    });
    return { report, warnings: await run.finish() };
  });
}
