import type { ResolvedConfig } from '../../config/resolved-config.js';
import { jobHolder } from '../../derived/checkpointed-pages.js';
import type { ResolvedDerived } from '../../derived/derived.js';
import { actorOf, type RunOptions } from '../run-options.js';
import { selectDerived } from './select-derived.js';

/** The lease and checkpoint settings of a resumable derived job (rebuild, dual-run, cutover, backfill). */
export interface DerivedJobInput {
  /** The one derived state the job works on, by its declared name. */
  readonly derived: string;
  /** Ignore the checkpoint of an interrupted run and start over. */
  readonly restart?: boolean;
  /** How long the job's lease lasts unrenewed; a rerun after a kill waits that long at most. Default 30 s. */
  readonly leaseTtlMs?: number;
}

/** A resumable derived job waits for the lease of another (or a killed) run to expire. */
export interface DerivedJobWaiting {
  readonly type: 'waiting';
  readonly holder: string;
  readonly until: number;
}

/** The one declaration a derived job works on: a usage error when it is not declared. */
export function oneDerived(config: ResolvedConfig, name: string): ResolvedDerived {
  return selectDerived([name], config)[0]!;
}

/** The job options of `checkpointed-pages.ts`: holder, lease, restart and the waiting event. */
export function jobSettings(input: DerivedJobInput, options: RunOptions<DerivedJobWaiting>) {
  return {
    holder: `${actorOf(options)}#${jobHolder()}`,
    ...(input.leaseTtlMs === undefined ? {} : { leaseTtlMs: input.leaseTtlMs }),
    restart: input.restart === true,
    onWait: (holder: string, until: number) => options.onProgress?.({ type: 'waiting', holder, until }),
  };
}
