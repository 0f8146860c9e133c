import { ExitCode } from '../../errors/steward-error.js';
import { renderRollbackReport } from '../../migrations/rollback/render-rollback-report.js';
import { rollbackNeedsAttention } from '../../migrations/rollback/rollback-report.js';
import { migrateRollback } from '../../workspace/migrations/migrate-rollback.js';
import type { Command } from '../command.js';
import { configFor } from '../config-for.js';
import { withInterrupt } from '../interrupt-signal.js';
import { migrationProgress, noteLineageWarnings, rateOption, stopNote } from '../migration-progress.js';
import { runOptionsFor } from '../run-options-for.js';

/** `steward migrate rollback [--to <id>]`: restores the before-images, newest migration first. */
export const migrateRollbackCommand: Command = {
  path: ['migrate', 'rollback'],
  summary: 'reverse applied migrations exactly, from their before-images',
  usage: '[--to <id>] [--rate N]',
  description:
    'Reverses the last applied migration (or one stopped at a gate, or half applied), or with --to every\n' +
    'migration from the last back to <id>, inclusive, newest first. Each document apply changed is put\n' +
    'back from its before-image while its version field still holds what apply wrote; a document changed\n' +
    'since is converted by down() when that is exact for it, otherwise restored with the later content\n' +
    'kept in the ledger. Then a census by version (documents written at the target version since apply\n' +
    'are converted by an exact down(), or listed), copies dropped, the before-validators and checksums\n' +
    'against the ones apply recorded. Checkpointed: rerun to resume after a crash. SIGINT (Ctrl-C) or\n' +
    'SIGTERM pauses after the batch in flight (exit 130; rerun to resume).\n' +
    'Exit 0 when every collection is back as it was, 1 when anything is left or differs.',
  options: {
    to: { type: 'string' },
    rate: { type: 'string' },
  },
  optionHelp: {
    to: 'roll back every applied migration down to and including this id',
    rate: 'at most N documents per second (default: migrations.rate, else no limit)',
  },
  async run(ctx) {
    const config = await configFor(ctx);
    const rate = rateOption(ctx);
    const to = typeof ctx.options.to === 'string' ? ctx.options.to : undefined;
    const input = { ...(rate === undefined ? {} : { rate }), ...(to === undefined ? {} : { to }) };
    const { report, warnings } = await withInterrupt(
      ctx,
      (signal) =>
        migrateRollback(config, input, runOptionsFor(ctx, { signal, onProgress: migrationProgress(ctx) })),
      stopNote('rollback'),
    );
    ctx.output.endProgress();
    noteLineageWarnings(ctx, warnings);
    ctx.output.line(renderRollbackReport(report).join('\n'));
    ctx.output.result(report);
    if (report.status === 'paused') return ExitCode.interrupted;
    return rollbackNeedsAttention(report) ? ExitCode.findings : ExitCode.ok;
  },
};
