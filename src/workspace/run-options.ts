import { hostname, userInfo } from 'node:os';
import { StewardError } from '../errors/steward-error.js';
import type { StewardMetrics } from '../signals/steward-metrics.js';

/**
 * What every entry point of the library takes besides its own input: plain values, so the CLI, the
 * server, the demo and a user's script call steward alike. None of them is required.
 */
export interface RunOptions<E = never> {
  /** Who acts, as the audit log and leases record it. Default: {@link actorFromEnv}. */
  readonly actor?: string;
  /**
   * Asks a running job to stop. Migrations (`migrateApply`, `migrateRollback`), reference scans
   * (`refsScan`) and undos (`refsUndo`) stop after the batch in flight, keep their checkpoint and
   * say so in their result; so do `driftRepair` (its open incidents are its to-do list) and
   * `driftCheck` with the exact and sampling methods (it closes no incident then); the other jobs that work through several derived states or
   * collections stop before the next one with a StewardError `aborted`. Either way a rerun
   * resumes.
   */
  readonly signal?: AbortSignal;
  /** Receives the job's progress events as they happen; the job waits for it, so keep it quick. */
  readonly onProgress?: (event: E) => void;
  /**
   * The metrics the job records into: default the process-wide set (`stewardMetrics()`), which
   * `registerStewardMetrics` shows in a host's own prom-client registry.
   */
  readonly metrics?: StewardMetrics;
}

/** Who acts when nobody says: STEWARD_ACTOR, or user@host. */
export function actorFromEnv(env: NodeJS.ProcessEnv = process.env): string {
  if (env.STEWARD_ACTOR) return env.STEWARD_ACTOR;
  let user = 'unknown';
  try {
    user = userInfo().username;
  } catch {
    // no passwd entry (some containers): keep "unknown"
  }
  return `${user}@${hostname()}`;
}

/** The actor of a run: the one given, else {@link actorFromEnv}. */
export function actorOf(options: Pick<RunOptions<unknown>, 'actor'>): string {
  return options.actor ?? actorFromEnv();
}

/** Throws `aborted` when the run was asked to stop, naming what it was about to start. */
export function throwIfAborted(signal: AbortSignal | undefined, next: string): void {
  if (signal?.aborted)
    throw new StewardError('aborted', `stopped on request before ${next}; run it again to go on`, {
      next,
    });
}
