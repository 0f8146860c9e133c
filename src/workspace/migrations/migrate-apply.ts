import type { ResolvedConfig } from '../../config/resolved-config.js';
import { applyMigrations } from '../../migrations/apply/apply-migrations.js';
import type { ApplyReport } from '../../migrations/apply/apply-report.js';
import type { MigrationEvent } from '../../migrations/apply/migration-events.js';
import type { SignalWarning } from '../../signals/signals.js';
import type { RunOptions } from '../run-options.js';
import { withMigrationRun } from './with-migration-run.js';

/** How apply runs, beyond the config's `migrations` settings. */
export interface MigrateApplyInput {
  /** A person's decision to go on past a failed gate. */
  readonly resume?: boolean;
  /** At most this many documents per second; default the config's `migrations.rate`, else no limit. */
  readonly rate?: number;
}

/** What apply did, and the lineage sinks that did not take its events. */
export interface MigrateApplyResult {
  readonly report: ApplyReport;
  readonly warnings: SignalWarning[];
}

/**
 * Applies the pending migrations in order, once approvals of the current plan hash meet the
 * config's `migrations` approval policy: per migration, collection operations, a canary, the
 * gates, then the rest; batched, throttled, checkpointed after every batch (rerun to resume), each
 * document saved as a before-image first. A refusal (not approved, plan changed) is in the report,
 * not thrown. Progress and gate events go to `onProgress`; aborting `signal` pauses after the
 * batch in flight.
 */
export function migrateApply(
  config: ResolvedConfig,
  input: MigrateApplyInput = {},
  options: RunOptions<MigrationEvent> = {},
): Promise<MigrateApplyResult> {
  const rate = input.rate ?? config.migrations.rate;
  return withMigrationRun(config, options, async (run) => {
    const report = await applyMigrations({
      ...run,
      options: { canaryPercent: config.migrations.canaryPercent, batchSize: config.migrations.batchSize },
      settings: {
        maxErrorRate: config.migrations.maxErrorRate,
        ...(rate === undefined ? {} : { rate }),
        ...(config.migrations.autoRollback ? { autoRollback: config.migrations.autoRollback } : {}),
      },
      approvers: config.approvers,
      approvalPolicies: config.approvalPolicies,
      resume: input.resume === true,
    });
    return { report, warnings: await run.finish() };
  });
}
