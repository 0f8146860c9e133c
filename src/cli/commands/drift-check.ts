import { parseDuration } from '../../core/duration.js';
import { type DriftMethod, renderDriftReport } from '../../derived/drift-report.js';
import type { SourceStrategy } from '../../derived/source-values.js';
import { ExitCode, StewardError } from '../../errors/steward-error.js';
import { type DriftCheckInput, driftCheck } from '../../workspace/derived/drift-check.js';
import { segmentOption, whereOption } from '../collection-arg.js';
import type { Command, CommandContext } from '../command.js';
import { configFor } from '../config-for.js';
import { intOption } from '../int-option.js';
import { withInterrupt } from '../interrupt-signal.js';
import { runOptionsFor } from '../run-options-for.js';

/** `steward drift check`: recomputes derived state from its source and records drift as incidents. */
export const driftCheckCommand: Command = {
  path: ['drift', 'check'],
  summary: 'recompute derived state from its source; record what differs as drift incidents',
  usage:
    '[derived...] [--method exact|sampling|hash|window|checkpoint] [--sample 0.1] [--window 7d] [--where F] [--segment i/N]',
  description:
    'For each named derived state (all declared ones when none is named), reads the derived collection\n' +
    "page by page and recomputes every value from its source: copies with one lookup of the page's\n" +
    'source keys, aggregates from one scan of the source folded into a per-key map (--strategy per-page:\n' +
    'one filtered source scan per page instead). A mismatch is read again before it counts, so a write\n' +
    'made during the check is not reported. Each drifted document becomes an incident (`drift repair`\n' +
    'fixes them); incidents that no longer drift are closed. A copy whose source is missing is an orphan\n' +
    '(`refs scan`), not drift. --method window rechecks only what the source changed in the last\n' +
    '--window (by source.changedAt); --method checkpoint only documents whose stamped source version\n' +
    'is behind the latest (source.version or source.changedAt). A snapshot differs from its source by\n' +
    'design: its differences are reported apart, not as drift; a snapshot missing where its source gives\n' +
    'a value is a finding. SIGINT or SIGTERM stops the exact and sampling methods after the page in\n' +
    'flight, recording what it found and closing nothing (exit 130; a rerun checks from the start).\n' +
    'Exit 1 when drift or a missing snapshot is found.',
  options: {
    method: { type: 'string', default: 'exact' },
    sample: { type: 'string', default: '0.1' },
    window: { type: 'string' },
    where: { type: 'string', short: 'w' },
    segment: { type: 'string' },
    strategy: { type: 'string', default: 'map' },
    batch: { type: 'string', default: '500' },
    'group-size': { type: 'string', default: '20000' },
  },
  optionHelp: {
    method:
      'exact (every document), sampling (a deterministic fraction by key hash), hash (per-group hashes first), window (what the source changed lately) or checkpoint (documents behind their source version)',
    window: "with --method window: how far back, such as 7d or 12h (default the declaration's days)",
    sample: 'with --method sampling: the fraction of documents compared, 0 < f <= 1 (default 0.1)',
    where: 'only derived documents matching this filter (JSON)',
    segment: 'only segment i of N (0-based) of the derived collection',
    strategy: 'how aggregates read their source: map (one scan, default) or per-page',
    batch: 'derived documents per page (default 500)',
    'group-size': 'with --method hash: documents per group (default 20000)',
  },
  async run(ctx) {
    const config = await configFor(ctx);
    const input = { derived: ctx.positionals, ...checkOptions(ctx) };
    const result = await withInterrupt(ctx, (signal) =>
      driftCheck(
        config,
        input,
        runOptionsFor(ctx, {
          signal,
          onProgress: (event) => {
            if (event.type === 'progress') return ctx.output.tick(event);
            ctx.output.endProgress();
            ctx.output.line(renderDriftReport(event.report).join('\n'));
          },
        }),
      ),
    );
    ctx.output.result(result);
    if (result.interrupted) return ExitCode.interrupted;
    return result.ok ? ExitCode.ok : ExitCode.findings;
  },
};

function checkOptions(ctx: CommandContext): Omit<DriftCheckInput, 'derived'> {
  const method = String(ctx.options.method) as DriftMethod;
  if (!['exact', 'sampling', 'hash', 'window', 'checkpoint'].includes(method))
    throw new StewardError(
      'usage',
      `--method must be exact, sampling, hash, window or checkpoint (got "${method}")`,
    );
  if (ctx.options.window !== undefined && method !== 'window')
    throw new StewardError('usage', '--window goes with --method window');
  const sample = Number(ctx.options.sample);
  if (!(sample > 0 && sample <= 1))
    throw new StewardError(
      'usage',
      `--sample must be a fraction above 0 and at most 1, such as 0.1 (got "${String(ctx.options.sample)}")`,
    );
  const strategy = String(ctx.options.strategy) as SourceStrategy;
  if (!['map', 'per-page'].includes(strategy))
    throw new StewardError('usage', `--strategy must be map or per-page (got "${strategy}")`);
  const segment = segmentOption(ctx);
  const windowMs = windowOption(ctx);
  return {
    method,
    sample,
    strategy,
    where: whereOption(ctx),
    batch: intOption(ctx, 'batch', 500, 1),
    groupSize: intOption(ctx, 'group-size', 20_000, 1),
    ...(segment ? { segment } : {}),
    ...(windowMs === undefined ? {} : { windowMs }),
  };
}

/** `--window 7d`: how far back --method window looks, when given. */
function windowOption(ctx: CommandContext): number | undefined {
  const raw = ctx.options.window;
  if (raw === undefined) return undefined;
  const windowMs = parseDuration(String(raw));
  if (windowMs === undefined)
    throw new StewardError('usage', `--window must be a duration such as 12h or 7d (got "${String(raw)}")`);
  return windowMs;
}
