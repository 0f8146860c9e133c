import { randomBytes } from 'node:crypto';
import { parseDuration, type ResolvedReference } from '../../config/resolve-references.js';
import type { ResolvedConfig } from '../../config/resolved-config.js';
import { ExitCode, StewardError } from '../../errors/steward-error.js';
import { renderScanReport, renderStaleReport } from '../../integrity/scan/render-scan-report.js';
import { revalidateStale } from '../../integrity/scan/revalidate-stale.js';
import { defaultBatch, scanReference } from '../../integrity/scan/scan-reference.js';
import { problemCount } from '../../integrity/scan/scan-report.js';
import type { Ledger } from '../../ledger/ledger.js';
import type { Signals } from '../../signals/signals.js';
import type { Collection } from '../../stores/store.js';
import { segmentOption } from '../collection-arg.js';
import type { Command, CommandContext } from '../command.js';
import { withInterrupt } from '../interrupt-signal.js';
import { noteWarnings, withIntegrity } from '../with-integrity.js';
import { actorFor } from '../with-ledger.js';
import { configFor, intOption } from '../with-stores.js';

/** `steward refs scan`: finds orphaned references, records them as incidents, resumable and segmentable. */
export const refsScanCommand: Command = {
  path: ['refs', 'scan'],
  summary: 'find references pointing at nothing; record them as incidents',
  usage: '[reference...] [--segment i/N] [--rate N] [--batch N] [--restart] [--stale-only]',
  description:
    'Scans the source collection of each reference (all declared ones when none is named) in batches,\n' +
    "looking up each batch's distinct target keys with one read, in the target's own store.\n" +
    'Orphans, type mismatches and missing required references become incidents (`steward refs incidents`).\n' +
    'Progress is checkpointed about once a second: rerun the same command to resume after a crash.\n' +
    'SIGINT or SIGTERM stops it after the batch in flight, checkpointed (exit 130).\n' +
    'Exit 1 when any problem is found, 0 when clean.',
  options: {
    segment: { type: 'string' },
    rate: { type: 'string' },
    batch: { type: 'string', default: String(defaultBatch) },
    restart: { type: 'boolean' },
    'stale-only': { type: 'boolean' },
    'lease-ttl': { type: 'string', default: '60s' },
  },
  optionHelp: {
    segment: 'only segment i of N (0-based), so N workers split the source',
    rate: 'at most N source documents per second',
    batch: `source documents per batch and lookup (default ${defaultBatch})`,
    restart: 'ignore a checkpoint left by an interrupted scan and start over',
    'stale-only': "only recheck open incidents older than the reference's revalidateAfter",
    'lease-ttl': 'how long a killed scan keeps its segment locked (default 60s)',
  },
  async run(ctx) {
    const config = await configFor(ctx);
    const references = selectReferences(ctx.positionals, config);
    const options = scanOptions(ctx);
    return withIntegrity(
      ctx,
      config,
      references,
      ({ ledger, collection, signals }) =>
        withInterrupt(ctx, async (signal) => {
          const holder = `${actorFor(ctx.env)}#${process.pid}-${randomBytes(3).toString('hex')}`;
          const run: Run = { ctx, ledger, holder, options, signals, signal };
          const results: { report: unknown; problems: number; interrupted?: boolean }[] = [];
          for (const reference of references) {
            const collections = {
              source: collection(reference.collection),
              target: collection(reference.target),
            };
            results.push(await (options.staleOnly ? recheck : scan)(run, reference, collections));
            if (results.at(-1)?.interrupted) break;
          }
          const problems = results.reduce((n, r) => n + r.problems, 0);
          const warnings = await signals.flush();
          noteWarnings(ctx, warnings);
          const interrupted = results.some((r) => r.interrupted);
          ctx.output.result({
            ok: problems === 0 && !interrupted,
            ...(interrupted ? { interrupted } : {}),
            references: results.map((r) => r.report),
            warnings,
          });
          if (interrupted) return ExitCode.interrupted;
          return problems > 0 ? ExitCode.findings : ExitCode.ok;
        }),
      { rehydrateFrom: false },
    );
  },
};

interface Run {
  readonly ctx: CommandContext;
  readonly ledger: Ledger;
  readonly holder: string;
  readonly options: ReturnType<typeof scanOptions>;
  readonly signals: Signals;
  readonly signal: AbortSignal;
}

interface Collections {
  readonly source: Collection;
  readonly target: Collection;
}

async function scan(run: Run, reference: ResolvedReference, collections: Collections) {
  const { ctx } = run;
  const report = await scanReference({
    reference,
    ...collections,
    ledger: run.ledger,
    holder: run.holder,
    ...run.options.scan,
    waitForLease: true,
    signal: run.signal,
    onEvent: (event) => {
      if (event.type === 'checkpoint') ctx.output.progress(`  ${reference.name}`, event.scanned, undefined);
      if (event.type === 'waiting') ctx.output.note(waitingNote(event.reference, event.holder, event.until));
    },
  });
  ctx.output.endProgress();
  if (report.interrupted) {
    ctx.output.note(
      `${reference.name}: scan interrupted after ${report.scanned.toLocaleString('en-US')} documents, ` +
        'checkpoint saved; run the same command again to resume',
    );
    return { report, problems: problemCount(report), interrupted: true };
  }
  const { opened, updated, stillOpen } = report.incidents;
  run.signals.orphansFound(reference.name, report.orphans);
  run.signals.openIncidents(reference.name, opened + updated + stillOpen);
  ctx.output.line(renderScanReport(report).join('\n'));
  return { report, problems: problemCount(report) };
}

async function recheck(run: Run, reference: ResolvedReference, collections: Collections) {
  const report = await revalidateStale({ reference, ...collections, ledger: run.ledger });
  run.ctx.output.line(renderStaleReport(report));
  return { report, problems: report.stillOpen };
}

function waitingNote(reference: string, holder: string, until: number): string {
  return (
    `${reference}: the segment is leased by ${holder} until ${new Date(until).toISOString()}; ` +
    'waiting for it once (a killed scan leaves its lease until it expires)'
  );
}

/** The named references, or every declared one; an unknown name is a usage error naming the known. */
export function selectReferences(names: readonly string[], config: ResolvedConfig): ResolvedReference[] {
  const known = [...config.references.keys()];
  if (known.length === 0) {
    throw new StewardError(
      'usage',
      `${config.file ?? 'the config'} declares no references; add some, such as references: { 'profiles.accountId': { target: 'accounts' } }`,
    );
  }
  if (names.length === 0) return [...config.references.values()];
  const unknown = names.filter((name) => !config.references.has(name));
  if (unknown.length > 0) {
    throw new StewardError(
      'usage',
      `${unknown.map((u) => `"${u}"`).join(', ')} ${unknown.length === 1 ? 'is' : 'are'} not declared in ` +
        `${config.file ?? 'the config'}; declared references: ${known.join(', ')}`,
      { unknown, known },
    );
  }
  return names.map((name) => config.references.get(name)!);
}

function scanOptions(ctx: CommandContext) {
  const segment = segmentOption(ctx);
  const rawRate = ctx.options.rate;
  const rate = rawRate === undefined ? undefined : Number(rawRate);
  if (rate !== undefined && !(rate > 0 && Number.isFinite(rate)))
    throw new StewardError(
      'usage',
      `--rate must be a number of documents per second above 0 (got "${String(rawRate)}")`,
    );
  const ttl = parseDuration(String(ctx.options['lease-ttl']));
  if (ttl === undefined || ttl < 1000)
    throw new StewardError(
      'usage',
      `--lease-ttl must be a duration of at least 1s, such as 90s or 5m (got "${String(ctx.options['lease-ttl'])}")`,
    );
  if (ctx.options['stale-only'] && (segment || ctx.options.restart))
    throw new StewardError(
      'usage',
      '--stale-only rechecks incidents, not documents: it takes no --segment or --restart',
    );
  return {
    staleOnly: ctx.options['stale-only'] === true,
    scan: {
      batch: intOption(ctx, 'batch', defaultBatch, 1),
      restart: ctx.options.restart === true,
      leaseTtlMs: ttl,
      ...(rate === undefined ? {} : { rate }),
      ...(segment ? { segment } : {}),
    },
  };
}
