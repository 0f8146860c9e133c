import { setTimeout as sleep } from 'node:timers/promises';
import type { Clock } from './clock.js';
import type { Lease } from './lease.js';

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
