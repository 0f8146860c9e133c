import { parseDuration } from '../core/duration.js';
import { StewardError } from '../errors/steward-error.js';
import type { DerivedJobWaiting } from '../workspace/derived/derived-job.js';
import type { RunOptions } from '../workspace/run-options.js';
import type { CommandContext } from './command.js';
import { runOptionsFor } from './run-options-for.js';

/** The options every resumable derived job takes (rebuild, dual-run, cutover, backfill), with their help. */
export const jobOptionSpecs = {
  restart: { type: 'boolean' },
  'lease-ttl': { type: 'string', default: '30s' },
} as const;
export const jobOptionHelp = {
  restart: 'ignore the checkpoint of an interrupted run and start over',
  'lease-ttl': 'how long the job lease lasts unrenewed; a rerun after a kill waits that long at most',
};

/** `--segment i/N` for the jobs that take it (rebuild, backfill): each segment its own job. */
export const segmentJobSpec = { segment: { type: 'string' } } as const;
export const segmentJobHelp = {
  segment:
    'only segment i of N (0-based) of the derived collection; run N of these, one per segment, each with its own lease and checkpoint',
};

/** The one derived state a job command names, by its single positional; `example` is the usage shown. */
export function derivedArg(ctx: CommandContext, example: string): string {
  if (ctx.positionals.length !== 1)
    throw new StewardError('usage', `name one derived state, such as "${example}"`);
  return ctx.positionals[0]!;
}

/** The lease and checkpoint options of a resumable derived job (rebuild, dual-run, cutover, backfill). */
export function jobOptions(ctx: CommandContext): { leaseTtlMs: number; restart: boolean } {
  const raw = String(ctx.options['lease-ttl'] ?? '30s');
  const leaseTtlMs = parseDuration(raw);
  if (leaseTtlMs === undefined || leaseTtlMs < 1000)
    throw new StewardError(
      'usage',
      `--lease-ttl must be a duration of at least 1s, such as 30s (got "${raw}")`,
    );
  return { leaseTtlMs, restart: ctx.options.restart === true };
}

/** The run options of a derived job: a note when it waits for another run's lease. */
export function jobRunOptions(ctx: CommandContext): RunOptions<DerivedJobWaiting> {
  return runOptionsFor(ctx, {
    onProgress: ({ holder, until }) =>
      ctx.output.note(
        `waiting for the lease of ${holder} (an interrupted run?) to expire at ${new Date(until).toISOString()}`,
      ),
  });
}
