import { renderDriftReport } from '../../derived/drift-report.js';
import { renderRepairReport } from '../../derived/repair-report.js';
import { ExitCode } from '../../errors/steward-error.js';
import { derivedBackfill } from '../../workspace/derived/derived-backfill.js';
import { segmentOption } from '../collection-arg.js';
import type { Command } from '../command.js';
import { configFor } from '../config-for.js';
import {
  derivedArg,
  jobOptionHelp,
  jobOptionSpecs,
  jobOptions,
  jobRunOptions,
  segmentJobHelp,
  segmentJobSpec,
} from '../derived-job-options.js';
import { intOption } from '../int-option.js';

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
    const derived = derivedArg(ctx, 'steward derived backfill case_list.openTaskCount');
    const batch = intOption(ctx, 'batch', 500, 1);
    const dryRun = ctx.options['dry-run'] === true;
    const segment = segmentOption(ctx);
    const input = { derived, batch, dryRun, ...(segment ? { segment } : {}), ...jobOptions(ctx) };
    const result = await derivedBackfill(config, input, jobRunOptions(ctx));
    ctx.output.line(renderRepairReport(result.backfill).join('\n'));
    if (result.check) ctx.output.line(renderDriftReport(result.check).join('\n'));
    ctx.output.result(result);
    return result.ok ? ExitCode.ok : ExitCode.findings;
  },
};
