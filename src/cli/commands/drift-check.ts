import { parseDuration } from '../../config/resolve-references.js';
import type { ResolvedConfig } from '../../config/resolved-config.js';
import { checkDrift, driftFound } from '../../derived/check-drift.js';
import { type ResolvedDerived, sourceVersionField } from '../../derived/derived.js';
import { type DriftMethod, renderDriftReport } from '../../derived/drift-report.js';
import type { SourceStrategy } from '../../derived/source-values.js';
import { ExitCode, StewardError } from '../../errors/steward-error.js';
import { type Ledger, openLedger } from '../../ledger/ledger.js';
import type { Collection } from '../../stores/store.js';
import { segmentOption, whereOption } from '../collection-arg.js';
import type { Command, CommandContext } from '../command.js';
import { actorFor } from '../with-ledger.js';
import { configFor, intOption, withStores } from '../with-stores.js';

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
    'a value is a finding. Exit 1 when drift or a missing snapshot is found.',
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
    const selected = selectDerived(ctx.positionals, config);
    const options = checkOptions(ctx);
    return withDerived(ctx, config, selected, async (run) => {
      const reports = [];
      for (const derived of selected) {
        const report = await checkDrift({
          derived,
          ...run.handles(derived),
          ledger: run.ledger,
          ...options,
          ...methodOptions(options.method, derived, ctx),
        });
        ctx.output.line(renderDriftReport(report).join('\n'));
        reports.push(report);
      }
      const drift = reports.reduce((n, r) => n + r.drift, 0);
      const missingSnapshots = reports.reduce((n, r) => n + (r.snapshot?.missing ?? 0), 0);
      const found = reports.some(driftFound);
      ctx.output.result({ ok: !found, drift, missingSnapshots, reports });
      return found ? ExitCode.findings : ExitCode.ok;
    });
  },
};

function checkOptions(ctx: CommandContext) {
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
  return {
    method,
    sample,
    strategy,
    where: whereOption(ctx),
    batch: intOption(ctx, 'batch', 500, 1),
    groupSize: intOption(ctx, 'group-size', 20_000, 1),
    ...(segment ? { segment } : {}),
  };
}

/**
 * What the window and checkpoint methods need of each declaration, checked before anything is
 * read: a usage error naming the derived state and the missing setting.
 */
function methodOptions(method: DriftMethod, derived: ResolvedDerived, ctx: CommandContext) {
  const where = `derived.${derived.name}.source`;
  if (method === 'checkpoint' && !sourceVersionField(derived.source))
    throw new StewardError(
      'usage',
      `--method checkpoint needs ${where}.version (a version number raised on every change) or ${where}.changedAt (the last-change time, used as the version); ${derived.name} declares neither`,
      { derived: derived.name },
    );
  if (method !== 'window') return {};
  if (!derived.source.changedAt)
    throw new StewardError(
      'usage',
      `--method window needs ${where}.changedAt: the field of "${derived.source.collection}" holding when each document last changed (ISO 8601), such as "updatedAt"; ${derived.name} declares none`,
      { derived: derived.name },
    );
  const raw = ctx.options.window;
  if (raw === undefined) {
    if (derived.windowMs !== undefined) return {};
    throw new StewardError(
      'usage',
      `--method window needs a window for ${derived.name}: --window 7d, or declare validation: { method: 'window', days: 7 }`,
      { derived: derived.name },
    );
  }
  const windowMs = parseDuration(String(raw));
  if (windowMs === undefined)
    throw new StewardError('usage', `--window must be a duration such as 12h or 7d (got "${String(raw)}")`);
  return { windowMs };
}

/** The named derived states, or every declared one; unknown names are a usage error naming the known. */
/**
 * The one derived state a command works on (rebuild, dual-run, cutover, backfill), named by its
 * single positional; `example` is the command line the usage error shows.
 */
export function oneDerived(ctx: CommandContext, config: ResolvedConfig, example: string): ResolvedDerived {
  if (ctx.positionals.length !== 1)
    throw new StewardError('usage', `name one derived state, such as "${example}"`);
  return selectDerived(ctx.positionals, config)[0]!;
}

export function selectDerived(names: readonly string[], config: ResolvedConfig): ResolvedDerived[] {
  const known = [...config.derived.keys()];
  if (known.length === 0)
    throw new StewardError(
      'usage',
      `${config.file ?? 'the config'} declares no derived state; add some, such as derived: { 'case_list.openTaskCount': { kind: 'counter', source: {...}, transform: { count: true } } }`,
    );
  if (names.length === 0) return [...config.derived.values()];
  const unknown = names.filter((n) => !config.derived.has(n));
  if (unknown.length > 0)
    throw new StewardError(
      'usage',
      `${unknown.map((u) => `"${u}"`).join(', ')} ${unknown.length === 1 ? 'is' : 'are'} not declared in ${config.file ?? 'the config'}; declared derived state: ${known.join(', ')}`,
      { unknown, known },
    );
  return names.map((n) => config.derived.get(n)!);
}

/** What a command on derived state gets: the ledger and each declaration's collections. */
export interface DerivedRun {
  readonly ledger: Ledger;
  handles(derived: ResolvedDerived): { target: Collection; source: Collection };
}

/** Opens the ledger's store and every store the declarations read, runs `work`, closes them. */
export function withDerived<T>(
  ctx: CommandContext,
  config: ResolvedConfig,
  selected: readonly ResolvedDerived[],
  work: (run: DerivedRun) => Promise<T>,
): Promise<T> {
  const names = new Set([config.ledger.store]);
  for (const d of selected)
    for (const c of [d.collection, d.source.collection]) names.add(config.collections.get(c)!.store);
  return withStores(config, [...names], async (stores) => {
    const ledger = await openLedger(stores.get(config.ledger.store)!, {
      actor: actorFor(ctx.env),
      namespacePrefix: config.ledger.prefix,
    });
    const handle = (name: string) => {
      const c = config.collections.get(name)!;
      return stores.get(c.store)!.collection(c.spec);
    };
    return work({
      ledger,
      handles: (d) => ({ target: handle(d.collection), source: handle(d.source.collection) }),
    });
  });
}
