import { ExitCode } from '../../errors/steward-error.js';
import { refusalExitCode } from '../../migrations/apply/apply-refusal.js';
import { applyNeedsAttention } from '../../migrations/apply/apply-report.js';
import { renderApplyReport } from '../../migrations/apply/render-apply-report.js';
import { migrateApply } from '../../workspace/migrations/migrate-apply.js';
import type { Command } from '../command.js';
import { configFor } from '../config-for.js';
import { migrationProgress, noteLineageWarnings, rateOption } from '../migration-progress.js';
import { runOptionsFor } from '../run-options-for.js';
import { withInterrupt } from '../with-interrupt.js';

/** `steward migrate apply`: canary, gates and the rest, batched, throttled, resumable. */
export const migrateApplyCommand: Command = {
  path: ['migrate', 'apply'],
  summary: 'apply the approved pending migrations: canary, gates, then the rest',
  usage: '[--resume] [--rate N]',
  description:
    "Applies the pending migrations in order, once approvals of the current plan hash meet the config's\n" +
    '"migrations" approval policy. Per migration: collection operations, then a canary (the documents\n' +
    'whose key hashes below migrations.canaryPercent), then the gates (after-validators on the canary,\n' +
    'error rate, parity against the before-images), then the rest. Every document is saved as a\n' +
    'before-image first and written only while its version field still holds what was read.\n' +
    'Checkpointed after every batch: after a crash, rerun to resume (a killed run holds the lease until\n' +
    'it expires). Ctrl-C pauses after the batch in flight.\n' +
    'Exit 0 when applied, 1 when a gate failed or waits for --resume (or documents failed), 2 when\n' +
    'refused (not approved, plan changed, an applied migration edited), 1 when another apply or\n' +
    'rollback holds the lease.',
  options: {
    resume: { type: 'boolean' },
    rate: { type: 'string' },
  },
  optionHelp: {
    resume: "a person's decision to go on past a failed gate",
    rate: 'at most N documents per second (default: migrations.rate, else no limit)',
  },
  async run(ctx) {
    const config = await configFor(ctx);
    const rate = rateOption(ctx);
    const input = { resume: ctx.options.resume === true, ...(rate === undefined ? {} : { rate }) };
    const { report, warnings } = await withInterrupt(ctx, (signal) =>
      migrateApply(config, input, runOptionsFor(ctx, { signal, onProgress: migrationProgress(ctx) })),
    );
    ctx.output.endProgress();
    noteLineageWarnings(ctx, warnings);
    ctx.output.line(renderApplyReport(report).join('\n'));
    ctx.output.result(report);
    if (report.refusal) return refusalExitCode(report.refusal.reason);
    return applyNeedsAttention(report) ? ExitCode.findings : ExitCode.ok;
  },
};
