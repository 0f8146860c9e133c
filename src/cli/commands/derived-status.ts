import { derivedStatus } from '../../derived/status/derived-status.js';
import { renderStatus } from '../../derived/status/render-status.js';
import { ExitCode } from '../../errors/steward-error.js';
import type { Command } from '../command.js';
import { configFor, intOption } from '../with-stores.js';
import { selectDerived, withDerived } from './drift-check.js';

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
    const selected = selectDerived(ctx.positionals, config);
    const batch = intOption(ctx, 'batch', 500, 1);
    const now = new Date().toISOString();
    return withDerived(ctx, config, selected, async (run) => {
      await run.ledger.store.ensureCollection(run.ledger.namespace.incidents);
      const incidents = run.ledger.store.collection(run.ledger.namespace.incidents);
      const statuses = [];
      for (const derived of selected)
        statuses.push(
          await derivedStatus({
            derived,
            ...run.handles(derived),
            incidents,
            ledger: run.ledger,
            now,
            batch,
          }),
        );
      const outside = statuses.filter((s) => s.state === 'outside').length;
      ctx.output.result({ ok: outside === 0, now, outside, statuses });
      ctx.output.line(renderStatus(statuses).join('\n'));
      return outside > 0 ? ExitCode.findings : ExitCode.ok;
    });
  },
};
