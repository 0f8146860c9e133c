import { renderStatus } from '../../derived/status/render-status.js';
import { ExitCode } from '../../errors/steward-error.js';
import { derivedStatus } from '../../workspace/derived/derived-status.js';
import type { Command } from '../command.js';
import { configFor } from '../config-for.js';
import { intOption } from '../int-option.js';
import { runOptionsFor } from '../run-options-for.js';

/** `steward derived status`: each derived state's lag against its staleness allowance. */
export const derivedStatusCommand: Command = {
  path: ['derived', 'status'],
  summary: 'freshness of derived state: oldest projection, lag and allowance, documents without metadata',
  usage: '[derived...] [--batch N]',
  description:
    'Streams each derived collection once and reads the projection metadata steward stamps on\n' +
    "repair and rebuild (projectedAt, projectionVersion, sourceVersion; in each document's\n" +
    "_projection.<field>, or in the ledger for metadata: 'ledger'): the\n" +
    'oldest projected-at against now, documents older than the staleness allowance, documents with\n' +
    'no metadata, source versions found against the latest, and open drift incidents. Changes\n' +
    'no document. Exit 1 when a derived state is outside its allowance: a document or an open drift\n' +
    'incident older than it (for "immediate" state, any open drift incident).',
  options: { batch: { type: 'string', default: '500' } },
  optionHelp: { batch: 'derived documents per page (default 500)' },
  async run(ctx) {
    const config = await configFor(ctx);
    const batch = intOption(ctx, 'batch', 500, 1);
    const result = await derivedStatus(config, { derived: ctx.positionals, batch }, runOptionsFor(ctx));
    ctx.output.result(result);
    ctx.output.line(renderStatus(result.statuses).join('\n'));
    return result.outside > 0 ? ExitCode.findings : ExitCode.ok;
  },
};
