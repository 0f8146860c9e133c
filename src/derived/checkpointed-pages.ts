import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { isJsonObject, type JsonObject } from '../core/json.js';
import { isStewardError } from '../errors/steward-error.js';
import { type Clock, systemClock } from '../ledger/clock.js';
import type { Lease } from '../ledger/lease.js';
import { LeaseKeeper } from '../ledger/lease-keeper.js';
import type { Ledger } from '../ledger/ledger.js';
import { scanPages } from '../stores/scan-pages.js';
import type { Collection, ScanOptions } from '../stores/store.js';

/** How a checkpointed job of derived state (rebuild, dual-run, cutover, backfill) runs. */
export interface DerivedJobOptions {
  readonly ledger: Ledger;
  /** Who runs it, named in `lease.held` errors; unique per process. Default host, pid and a random part. */
  readonly holder?: string;
  /** Lease time to live. Default 30 s: a rerun after a kill waits at most that long. */
  readonly leaseTtlMs?: number;
  /** Ignore a saved checkpoint and start over. */
  readonly restart?: boolean;
  readonly clock?: Clock;
  /** Called when a run waits for the lease of another (or of a killed) run to expire. */
  readonly onWait?: (holder: string, until: number) => void;
}

/** Counters a job keeps across runs: saved with every checkpoint and given back on resume. */
export interface JobCounters {
  /** The counters now, to save (plain JSON: numbers, a running hash, a short sample). */
  read(): JsonObject;
  /** The counters an earlier run saved, to continue from. */
  restore(saved: JsonObject): void;
  /**
   * Work done once per job before its first page, under the lease (cutover verifies its report
   * here). A checkpoint is saved right after it, so a resumed run does not do it again.
   */
  start?(): Promise<void>;
}

const defaultTtlMs = 30_000;

/**
 * Runs `onPage` over every page of a scan of `collection` under a lease on `job`, and after each
 * page saves in the ledger's checkpoints the scan's resume token and `counters` (which `onPage`
 * updates), so a run killed at any point (even `kill -9`) resumes after the last page it finished,
 * with the counts of the whole job. A page may be processed twice (killed between its writes and
 * its checkpoint): `onPage` must be idempotent, which conditional writes of recomputed values are.
 *
 * A killed run leaves its lease held until it expires; the next run waits for that once. The
 * checkpoint is cleared when the scan is done. Returns how many documents earlier runs had covered
 * (0 for a fresh start).
 */
export async function checkpointedPages(
  options: DerivedJobOptions,
  job: string,
  collection: Collection,
  scan: ScanOptions,
  counters: JobCounters,
  onPage: (docs: JsonObject[]) => Promise<void>,
): Promise<{ resumedAt: number }> {
  const clock = options.clock ?? systemClock;
  const ttlMs = options.leaseTtlMs ?? defaultTtlMs;
  const lease = await acquireJobLease(options, job, ttlMs, clock);
  try {
    const saved = await options.ledger.checkpoints.load(job, lease);
    const resumed = saved !== undefined && !options.restart;
    const from = resumed ? restore(saved, counters) : { after: null, done: false };
    const resumedAt = resumed ? Number(counters.read().examined ?? 0) : 0;
    if (!resumed && counters.start) {
      await counters.start();
      const state = { after: null, done: false, counters: counters.read() };
      await options.ledger.checkpoints.save(job, state, lease);
    }
    const keeper = new LeaseKeeper(lease, ttlMs, clock);
    if (!from.done)
      for await (const page of scanPages(collection, { ...scan, after: from.after })) {
        await onPage(page.docs);
        await keeper.renewIfDue();
        const state = { after: page.next, done: page.next === null, counters: counters.read() };
        await options.ledger.checkpoints.save(job, state, lease);
      }
    await options.ledger.checkpoints.clear(job, lease);
    return { resumedAt };
  } finally {
    await lease.release().catch(() => undefined);
  }
}

function restore(saved: JsonObject, counters: JobCounters): { after: string | null; done: boolean } {
  counters.restore(isJsonObject(saved.counters ?? null) ? (saved.counters as JsonObject) : {});
  return { after: typeof saved.after === 'string' ? saved.after : null, done: saved.done === true };
}

/** A holder name unique to this process. */
export function jobHolder(): string {
  return `${hostname()}#${process.pid}-${randomBytes(3).toString('hex')}`;
}

/** Longest wait for a held lease; a holder with a longer ttl is not waited for past this. */
const maxWaitMs = 5 * 60_000;

/** Acquires the job's lease; when held (by a killed run, until it expires), waits once and retries. */
async function acquireJobLease(
  options: DerivedJobOptions,
  job: string,
  ttlMs: number,
  clock: Clock,
): Promise<Lease> {
  const holder = options.holder ?? jobHolder();
  const ask = () => options.ledger.acquireLease({ name: job, holder, ttlMs });
  try {
    return await ask();
  } catch (error) {
    if (!isStewardError(error, 'lease.held')) throw error;
    const until = Number(error.details.expiresAt);
    options.onWait?.(String(error.details.holder), until);
    await sleep(Math.min(maxWaitMs, Math.max(0, until - clock())) + 100);
    return ask();
  }
}
