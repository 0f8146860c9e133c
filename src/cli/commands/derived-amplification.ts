import { renderAmplification } from '../../derived/amplification/write-amplification.js';
import { ExitCode } from '../../errors/steward-error.js';
import { derivedAmplification } from '../../workspace/derived/derived-reports.js';
import type { Command } from '../command.js';
import { configFor } from '../config-for.js';

/** `steward derived amplification`: how many physical writes one write of each source collection causes. */
export const derivedAmplificationCommand: Command = {
  path: ['derived', 'amplification'],
  summary: 'write amplification per source collection: derived writes caused by one logical write',
  usage: '[derived...]',
  description:
    'For each source collection of the declared derived state: the derived\n' +
    'states it feeds, the derived collections and documents one write of a source document\n' +
    'refreshes, and the write amplification factor (1 for the source write + one per derived\n' +
    'document; the synchronous part is what the write itself waits for). Scheduled and manual\n' +
    'refreshes are listed apart: they write in batches, not per source write. Computed from the\n' +
    'declarations; reads no store. Always exits 0: a high factor is a fact to see, not an error.',
  async run(ctx) {
    const config = await configFor(ctx);
    const report = derivedAmplification(config, { derived: ctx.positionals });
    ctx.output.result({ sources: report });
    ctx.output.line(renderAmplification(report).join('\n'));
    return ExitCode.ok;
  },
};
