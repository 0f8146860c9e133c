import { renderRepairReport, repairReportJson } from '../../derived/repair-report.js';
import { snapshotApprovalKind } from '../../derived/snapshot-approval.js';
import { ExitCode } from '../../errors/steward-error.js';
import { driftRepair } from '../../workspace/derived/drift-repair.js';
import type { Command } from '../command.js';
import { configFor } from '../config-for.js';
import { intOption } from '../int-option.js';
import { withInterrupt } from '../interrupt-signal.js';
import { noteRefusal } from '../note-refusal.js';
import { runOptionsFor } from '../run-options-for.js';

/** `steward drift repair`: recomputes and writes the values of open drift incidents. */
export const driftRepairCommand: Command = {
  path: ['drift', 'repair'],
  summary: 'fix open drift incidents by recomputing their values from the source',
  usage: '[derived...] [--dry-run] [--batch N] [--force]',
  description:
    'For every open drift incident (found by `steward drift check`) of the named derived state (all when\n' +
    'none is named): reads the document, recomputes its value from the source as it is now and writes it\n' +
    'only if the stored value is still what was read; saves a before-image first, stamps `_projection.<field>`\n' +
    'with projectedAt, projectionVersion and by, audits each batch and closes the incident. A document\n' +
    "changed meanwhile is skipped and stays open for the next check. A snapshot's incidents are missing\n" +
    `snapshots, filled only with --force, which needs approvals of kind ${snapshotApprovalKind} (the\n` +
    'command prints what to sign).\n' +
    'Rerun to resume; a second run writes nothing. SIGINT or SIGTERM stops it after the batch in flight\n' +
    '(exit 130). Exit 1 when anything was skipped or failed.',
  options: {
    'dry-run': { type: 'boolean' },
    batch: { type: 'string', default: '200' },
    force: { type: 'boolean' },
  },
  optionHelp: {
    'dry-run': 'print what would change; write nothing',
    batch: 'incidents per batch: one read, one bulk write, one audit record (default 200)',
    force: 'also refresh snapshots; needs approvals of the printed subject',
  },
  async run(ctx) {
    const config = await configFor(ctx);
    const dryRun = ctx.options['dry-run'] === true;
    const batch = intOption(ctx, 'batch', 200, 1);
    const input = { derived: ctx.positionals, dryRun, batch, force: ctx.options.force === true };
    const { ok, reports, interrupted } = await withInterrupt(ctx, (signal) =>
      driftRepair(
        config,
        input,
        runOptionsFor(ctx, {
          signal,
          onProgress: (event) => {
            if (event.type === 'progress') return ctx.output.tick(event);
            ctx.output.endProgress();
            if (event.type === 'refused') noteRefusal(ctx, event);
            else ctx.output.line(renderRepairReport(event.report).join('\n'));
          },
        }),
      ),
    );
    ctx.output.result({ ok, reports: reports.map(repairReportJson), interrupted });
    if (interrupted) return ExitCode.interrupted;
    return ok ? ExitCode.ok : ExitCode.findings;
  },
};
