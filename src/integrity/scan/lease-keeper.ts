import { setTimeout as sleep } from 'node:timers/promises';
import { isStewardError } from '../../errors/steward-error.js';
import type { Clock } from '../../ledger/clock.js';
import type { Lease } from '../../ledger/lease.js';
import type { ScanReferenceInput } from './scan-input.js';

/**
 * Keeps a long job's lease alive: renews it once a third of its ttl has passed (the lease's own
 * advice), also while the job waits for its rate limit, so a slow `--rate` never loses the lease.
 */
export class LeaseKeeper {
  private renewedAt: number;

  constructor(
    private readonly lease: Lease,
    private readonly ttlMs: number,
    private readonly clock: Clock,
  ) {
    this.renewedAt = clock();
  }

  /** Renews when due; throws `lease.lost` when another run took the job over. */
  async renewIfDue(): Promise<void> {
    if (this.clock() - this.renewedAt < this.ttlMs / 3) return;
    await this.lease.renew();
    this.renewedAt = this.clock();
  }

  /**
   * Waits `ms`, renewing the lease on the way. An aborted `signal` ends the wait at once (a rate
   * of 0.0001 documents per second waits hours between batches): returns false then, true after
   * a full wait.
   */
  async pause(ms: number, signal?: AbortSignal): Promise<boolean> {
    const slice = Math.max(1, Math.floor(this.ttlMs / 3));
    for (let left = ms; left > 0; left -= slice) {
      if (signal?.aborted) return false;
      try {
        await sleep(Math.min(left, slice), undefined, signal ? { signal } : {});
      } catch (error) {
        if (signal?.aborted) return false;
        throw error;
      }
      await this.renewIfDue();
    }
    return !signal?.aborted;
  }
}

/** Longest wait for a held lease: a holder with a longer ttl is not waited for past this. */
const maxLeaseWaitMs = 15 * 60_000;

/**
 * Acquires the lease of a scan's (reference, segment); with `waitForLease`, waits once for a held
 * lease to reach the expiry it shows and tries again (see {@link ScanReferenceInput.waitForLease}).
 */
export async function acquireScanLease(
  input: ScanReferenceInput,
  job: string,
  ttlMs: number,
  clock: Clock,
): Promise<Lease> {
  const ask = () => input.ledger.acquireLease({ name: job, holder: input.holder, ttlMs });
  try {
    return await ask();
  } catch (error) {
    if (!input.waitForLease || !isStewardError(error, 'lease.held')) throw error;
    const until = Number(error.details.expiresAt);
    const holder = String(error.details.holder);
    input.onEvent?.({ type: 'waiting', reference: input.reference.name, holder, until });
    const signal = input.signal;
    // Aborted, it asks at once: the lease is still held, and `lease.held` says by whom.
    await sleep(Math.min(maxLeaseWaitMs, Math.max(0, until - clock())) + 100, undefined, {
      ...(signal ? { signal } : {}),
    }).catch(() => undefined);
    return ask();
  }
}
