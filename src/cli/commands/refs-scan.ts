import { parseDuration } from '../../core/duration.js';
import { formatCount } from '../../core/format-count.js';
import { ExitCode, StewardError } from '../../errors/steward-error.js';
import { renderScanReport, renderStaleReport } from '../../integrity/scan/render-scan-report.js';
import { defaultBatch } from '../../integrity/scan/scan-reference.js';
import { type RefsScanEvent, type RefsScanInput, refsScan } from '../../workspace/integrity/refs-scan.js';
import { segmentOption } from '../collection-arg.js';
import type { Command, CommandContext } from '../command.js';
import { configFor } from '../config-for.js';
import { intOption } from '../int-option.js';
import { withInterrupt } from '../interrupt-signal.js';
import { noteWarnings } from '../note-warnings.js';
import { runOptionsFor } from '../run-options-for.js';

/** `steward refs scan`: finds orphaned references, records them as incidents, resumable and segmentable. */
export const refsScanCommand: Command = {
  path: ['refs', 'scan'],
  summary: 'find references pointing at nothing; record them as incidents',
  usage: '[reference...] [--segment i/N] [--rate N] [--batch N] [--restart] [--stale-only]',
  description:
    'Scans the source collection of each reference (all declared ones when none is named) in batches,\n' +
    "looking up each batch's distinct target keys with one read, in the target's own store.\n" +
    'Orphans, type mismatches and missing required references become incidents (`steward refs incidents`).\n' +
    'Every selected reference is checked first: one whose source or target collection does not exist\n' +
    'stops the scan before it starts (exit 2, naming it; nothing written).\n' +
    'Progress is checkpointed about every five seconds: rerun the same command to resume after a crash.\n' +
    'SIGINT or SIGTERM stops it after the batch in flight, checkpointed (exit 130).\n' +
    'Exit 1 when any problem is found, 0 when clean.',
  options: {
    segment: { type: 'string' },
    rate: { type: 'string' },
    batch: { type: 'string' },
    restart: { type: 'boolean' },
    'stale-only': { type: 'boolean' },
    'lease-ttl': { type: 'string', default: '60s' },
  },
  optionHelp: {
    segment: 'only segment i of N (0-based), so N workers split the source',
    rate: 'at most N source documents per second',
    batch: `source documents per batch and lookup (default ${defaultBatch}; 5000 on DynamoDB)`,
    restart: 'ignore a checkpoint left by an interrupted scan and start over',
    'stale-only': "only recheck open incidents older than the reference's revalidateAfter",
    'lease-ttl': 'how long a killed scan keeps its segment locked (default 60s)',
  },
  async run(ctx) {
    const config = await configFor(ctx);
    const input = { references: ctx.positionals, ...scanOptions(ctx) };
    const result = await withInterrupt(ctx, (signal) =>
      refsScan(config, input, runOptionsFor(ctx, { signal, onProgress: render(ctx) })),
    );
    noteWarnings(ctx, result.warnings);
    ctx.output.result(result);
    if (result.interrupted) return ExitCode.interrupted;
    return result.ok ? ExitCode.ok : ExitCode.findings;
  },
};

/** Draws progress while a reference is scanned and prints its report when done. */
function render(ctx: CommandContext): (event: RefsScanEvent) => void {
  return (event) => {
    if (event.type === 'progress') ctx.output.tick(event);
    if (event.type === 'waiting') ctx.output.note(waitingNote(event.reference, event.holder, event.until));
    if (event.type === 'scanned') {
      ctx.output.endProgress();
      ctx.output.line(renderScanReport(event.report).join('\n'));
    }
    if (event.type === 'interrupted') {
      ctx.output.endProgress();
      ctx.output.note(
        `${event.report.reference}: scan interrupted after ${formatCount(event.report.scanned)} documents, ` +
          'checkpoint saved; run the same command again to resume',
      );
    }
    if (event.type === 'rechecked') ctx.output.line(renderStaleReport(event.report));
  };
}

function waitingNote(reference: string, holder: string, until: number): string {
  return (
    `${reference}: the segment is leased by ${holder} until ${new Date(until).toISOString()}; ` +
    'waiting for it once (a killed scan leaves its lease until it expires)'
  );
}

function scanOptions(ctx: CommandContext): Omit<RefsScanInput, 'references'> {
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
    // Unset, the scan takes the source's preferred page (larger on DynamoDB).
    ...(ctx.options.batch === undefined ? {} : { batch: intOption(ctx, 'batch', defaultBatch, 1) }),
    restart: ctx.options.restart === true,
    leaseTtlMs: ttl,
    ...(rate === undefined ? {} : { rate }),
    ...(segment ? { segment } : {}),
  };
}
