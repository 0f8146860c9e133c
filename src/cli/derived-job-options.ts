import { parseDuration } from '../core/duration.js';
import { jobHolder } from '../derived/checkpointed-pages.js';
import { StewardError } from '../errors/steward-error.js';
import type { CommandContext } from './command.js';
import { actorFor } from './with-ledger.js';

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

/** The lease and checkpoint options of a resumable derived job (rebuild, dual-run, cutover, backfill). */
export function jobOptions(ctx: CommandContext) {
  const raw = String(ctx.options['lease-ttl'] ?? '30s');
  const leaseTtlMs = parseDuration(raw);
  if (leaseTtlMs === undefined || leaseTtlMs < 1000)
    throw new StewardError(
      'usage',
      `--lease-ttl must be a duration of at least 1s, such as 30s (got "${raw}")`,
    );
  return {
    holder: `${actorFor(ctx.env)}#${jobHolder()}`,
    leaseTtlMs,
    restart: ctx.options.restart === true,
    onWait: (holder: string, until: number) =>
      ctx.output.note(
        `waiting for the lease of ${holder} (an interrupted run?) to expire at ${new Date(until).toISOString()}`,
      ),
  };
}
