import { formatCount } from '../../core/format-count.js';
import { ExitCode } from '../../errors/steward-error.js';
import { refsRehydrate } from '../../workspace/integrity/refs-rehydrate.js';
import type { Command } from '../command.js';
import { configFor } from '../config-for.js';
import { intOption } from '../int-option.js';
import { noteWarnings } from '../note-warnings.js';
import { runOptionsFor } from '../run-options-for.js';

/** `steward refs rehydrate`: works the queue of missing targets that guarded reads met. */
export const refsRehydrateCommand: Command = {
  path: ['refs', 'rehydrate'],
  summary: 'bring back missing targets that reads met (the read-time guard queue)',
  usage: '[--dry-run] [--batch N]',
  description:
    'Each pending request names a reference and a missing target key. When the reference declares\n' +
    'rehydrateFrom and the key is there, the target is copied back (insert only, never overwriting);\n' +
    'otherwise the reading document is recorded as an orphan incident for `steward refs repair`.\n' +
    'Every request is marked done and audited.\n' +
    'Exit 0 when every request was rehydrated or found back, 1 when incidents were recorded or inserts failed.',
  options: { 'dry-run': { type: 'boolean' }, batch: { type: 'string', default: '100' } },
  optionHelp: {
    'dry-run': 'print what would happen; write nothing',
    batch: 'requests per batch (default 100)',
  },
  async run(ctx) {
    const config = await configFor(ctx);
    const dryRun = ctx.options['dry-run'] === true;
    const batchSize = intOption(ctx, 'batch', 100, 1);
    const result = await refsRehydrate(config, { dryRun, batchSize }, runOptionsFor(ctx));
    const { results, counts, warnings } = result;
    for (const r of results)
      ctx.output.line(
        `${r.outcome.padEnd(17)} ${r.reference} ${JSON.stringify(r.key)}${r.note ? ` (${r.note})` : ''}`,
      );
    const summary = Object.entries(counts).map(([outcome, n]) => `${formatCount(n)} ${outcome}`);
    ctx.output.line(
      results.length === 0
        ? 'no pending rehydration requests'
        : `${dryRun ? 'dry run: ' : ''}${summary.join(', ')}`,
    );
    noteWarnings(ctx, warnings);
    ctx.output.result(result);
    return (counts.incident ?? 0) + (counts.failed ?? 0) > 0 ? ExitCode.findings : ExitCode.ok;
  },
};
