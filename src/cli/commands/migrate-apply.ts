import { ExitCode } from '../../errors/steward-error.js';
import { refusalExitCode } from '../../migrations/apply/apply-refusal.js';
import { applyNeedsAttention } from '../../migrations/apply/apply-report.js';
import { renderApplyReport } from '../../migrations/apply/render-apply-report.js';
import { migrateApply } from '../../workspace/migrations/migrate-apply.js';
import type { Command } from '../command.js';
import { configFor } from '../config-for.js';
import { withInterrupt } from '../interrupt-signal.js';
import { migrationProgress, noteLineageWarnings, rateOption, stopNote } from '../migration-progress.js';
import { runOptionsFor } from '../run-options-for.js';
import { toOption, toOptionHelp, toOptionSpec } from '../to-option.js';

/** `steward migrate apply`: canary, gates and the rest, batched, throttled, resumable. */
export const migrateApplyCommand: Command = {
  path: ['migrate', 'apply'],
  summary: 'apply the approved pending migrations: canary, gates, then the rest',
  usage: '[--resume] [--rate N] [--to <id>]',
  description:
    "Applies the pending migrations in order, once the plan's latest dry run passed and approvals of\n" +
    'it meet the config\'s "migrations" approval policy; the run uses those approvals up. Per\n' +
    'migration: collection operations, then a canary (the documents whose key hashes below\n' +
    'migrations.canaryPercent), then the gates (after-validators on the canary, error rate, parity\n' +
    'against the before-images), then the rest. Every document must conform to its contract before it\n' +
    'is written (the contract gate stops at a batch that does not), is saved as a before-image first,\n' +
    'and is written only while its version field still holds what was read.\n' +
    'Checkpointed after every batch: after a crash, rerun to resume (a killed run holds the lease until\n' +
    'it expires). SIGINT (Ctrl-C) or SIGTERM pauses after the batch in flight (exit 130; rerun to resume).\n' +
    'Exit 0 when applied, 1 when a gate failed or waits for --resume (or documents failed), 2 when\n' +
    'refused (no passed dry run, not approved, plan changed, an applied migration edited), 1 when\n' +
    'another apply or rollback holds the lease, or took it over mid-run (rerun to resume).',
  options: {
    resume: { type: 'boolean' },
    rate: { type: 'string' },
    ...toOptionSpec,
  },
  optionHelp: {
    resume: "a person's decision to go on past a failed gate",
    rate: 'at most N documents per second (default: migrations.rate, else no limit)',
    ...toOptionHelp,
  },
  async run(ctx) {
    const config = await configFor(ctx);
    const rate = rateOption(ctx);
    const input = {
      resume: ctx.options.resume === true,
      ...toOption(ctx),
      ...(rate === undefined ? {} : { rate }),
    };
    const { report, warnings } = await withInterrupt(
      ctx,
      (signal) =>
        migrateApply(config, input, runOptionsFor(ctx, { signal, onProgress: migrationProgress(ctx) })),
      stopNote('apply'),
    );
    ctx.output.endProgress();
    noteLineageWarnings(ctx, warnings);
    ctx.output.line(renderApplyReport(report).join('\n'));
    ctx.output.result(report);
    if (report.refusal) return refusalExitCode(report.refusal.reason);
    if (report.status === 'paused') return ExitCode.interrupted;
    return applyNeedsAttention(report) ? ExitCode.findings : ExitCode.ok;
  },
};
