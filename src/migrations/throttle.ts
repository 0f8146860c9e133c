import { type TokenBucket, takeTokens, tokenBucket } from '../core/token-bucket.js';
import type { Clock } from '../ledger/clock.js';
import type { Lease } from '../ledger/lease.js';
import { LeaseKeeper } from '../ledger/lease-keeper.js';

/**
 * Paces apply and rollback: at most `rate` documents per second on average (the token bucket of
 * `refs scan`, so a batch larger than a second's worth waits afterwards rather than failing), and
 * the `migrate` lease renewed on the way, also while waiting, so a slow rate never loses it.
 */
export class Throttle {
  private bucket: TokenBucket | undefined;
  private readonly keeper: LeaseKeeper;

  private readonly renewEveryMs: number;

  constructor(
    lease: Lease,
    ttlMs: number,
    private readonly clock: Clock,
    rate?: number,
  ) {
    this.keeper = new LeaseKeeper(lease, ttlMs, clock);
    this.renewEveryMs = Math.max(10, Math.floor(ttlMs / 6));
    // A tenth of a second's burst: a run (or a resumed one) starts at its pace, not a second ahead.
    this.bucket = rate === undefined ? undefined : tokenBucket(rate, clock(), Math.max(1, rate / 10));
  }

  /**
   * Accounts for `docs` documents just handled: renews the lease when due, waits when ahead of the
   * rate. Aborting `signal` ends the wait at once (a slow `--rate` must not hold up a stop).
   */
  async take(docs: number, signal?: AbortSignal): Promise<void> {
    await this.keeper.renewIfDue();
    if (!this.bucket || docs === 0) return;
    const { bucket, waitMs } = takeTokens(this.bucket, docs, this.clock());
    this.bucket = bucket;
    if (waitMs > 0) await this.keeper.pause(waitMs, signal);
  }

  /**
   * Runs one long step that has no batches of its own (a copy, the validators, a checksum scan),
   * renewing the lease on a timer meanwhile. A renewal that finds the lease lost fails the step
   * with `lease.lost` once the step is over.
   */
  async during<T>(step: () => Promise<T>): Promise<T> {
    let lost: unknown;
    const timer = setInterval(() => {
      this.keeper.renewIfDue().catch((error: unknown) => {
        lost ??= error;
      });
    }, this.renewEveryMs);
    try {
      const result = await step();
      if (lost) throw lost;
      return result;
    } finally {
      clearInterval(timer);
    }
  }
}
