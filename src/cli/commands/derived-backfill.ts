import { backfillDerived } from '../../derived/backfill.js';
import { renderDriftReport } from '../../derived/drift-report.js';
import { renderRepairReport, repairNeedsAttention } from '../../derived/repair-report.js';
import { ExitCode } from '../../errors/steward-error.js';
import { segmentOption } from '../collection-arg.js';
import type { Command } from '../command.js';
import {
  jobOptionHelp,
  jobOptionSpecs,
  jobOptions,
  segmentJobHelp,
  segmentJobSpec,
} from '../derived-job-options.js';
import { configFor, intOption } from '../with-stores.js';
import { oneDerived, withDerived } from './drift-check.js';

/** `steward derived backfill`: populates a newly added derived field, then checks it. */
export const derivedBackfillCommand: Command = {
  path: ['derived', 'backfill'],
  summary: 'populate a newly added derived field in checkpointed batches, then check it for drift',
  usage: '<derived> [--segment i/N] [--dry-run] [--batch N] [--restart] [--lease-ttl 30s]',
  description:
    'Computes the field for every derived document that does not have it yet (the absence is the\n' +
    'filter, so a rerun does only what is left), in bounded batches with before-images, projection\n' +
    'metadata and audit records, checkpointed after each batch. Then runs an exact drift check of the\n' +
    'whole derived state, so the field is validated before consumers are switched to it. With\n' +
    '--segment i/N, both cover that segment only: N processes or machines share the work.\n' +
    'Exit 1 when documents were skipped or the check found drift.',
  options: {
    'dry-run': { type: 'boolean' },
    batch: { type: 'string', default: '500' },
    ...segmentJobSpec,
    ...jobOptionSpecs,
  },
  optionHelp: {
    'dry-run': 'count what would be written; write nothing and skip the check',
    batch: 'derived documents per batch (default 500)',
    ...segmentJobHelp,
    ...jobOptionHelp,
  },
  async run(ctx) {
    const config = await configFor(ctx);
    const d = oneDerived(ctx, config, 'steward derived backfill case_list.openTaskCount');
    const batch = intOption(ctx, 'batch', 500, 1);
    const dryRun = ctx.options['dry-run'] === true;
    const segment = segmentOption(ctx);
    return withDerived(ctx, config, [d], async (run) => {
      const result = await backfillDerived({
        derived: d,
        ...run.handles(d),
        ledger: run.ledger,
        batch,
        dryRun,
        ...(segment ? { segment } : {}),
        ...jobOptions(ctx),
      });
      ctx.output.line(renderRepairReport(result.backfill).join('\n'));
      if (result.check) ctx.output.line(renderDriftReport(result.check).join('\n'));
      const ok = !repairNeedsAttention(result.backfill) && (result.check?.drift ?? 0) === 0;
      ctx.output.result({ ok, ...result });
      return ok ? ExitCode.ok : ExitCode.findings;
    });
  },
};
