import type { ResolvedConfig } from '../../config/resolved-config.js';
import { StewardError } from '../../errors/steward-error.js';
import { type DryRunRecord, latestDryRun } from '../../migrations/report/dry-run-record.js';
import type { DryRunReport } from '../../migrations/report/dry-run-report.js';
import { readDryRunReport } from '../../migrations/report/report-files.js';
import { actorOf, type RunOptions } from '../run-options.js';
import { withMigrations } from './with-migrations.js';

/** The latest dry run of the current plan: the ledger's record, and the report when its file is there. */
export interface MigrateDryRunReportResult {
  readonly planHash: string;
  readonly record: DryRunRecord;
  /** The report file's content; null when the file is gone (the record still counts). */
  readonly report: DryRunReport | null;
  /** True when the file's hash is the one recorded (an edited file is not what was approved). */
  readonly reportMatches: boolean;
}

/**
 * The report of the current plan's latest dry run, as the ledger recorded it and as its file
 * says. `input.invalid` when the plan was never dry-run. Writes nothing.
 */
export function migrateDryRunReport(
  config: ResolvedConfig,
  options: RunOptions = {},
): Promise<MigrateDryRunReportResult> {
  return withMigrations(config, actorOf(options), async (run) => {
    const { plan } = await run.loadPlan();
    const record = await latestDryRun(run.ledger, plan.hash);
    if (!record)
      throw new StewardError(
        'input.invalid',
        `plan ${plan.hash} has no dry run yet: run "steward migrate dry-run"`,
      );
    try {
      const { report, hash } = readDryRunReport(record.report);
      return { planHash: plan.hash, record, report, reportMatches: hash === record.reportHash };
    } catch (error) {
      if (!(error instanceof StewardError)) throw error;
      return { planHash: plan.hash, record, report: null, reportMatches: false };
    }
  });
}
