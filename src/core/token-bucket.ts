/**
 * A token bucket for `--rate`: tokens refill at `rate` per second up to `capacity` (one second's
 * worth unless told), and each document read takes one. A batch may take more tokens than are
 * left; the debt is paid by waiting before the next batch, so the average rate holds whatever
 * the batch size. Pure: the caller passes the time and does the waiting.
 */
export interface TokenBucket {
  readonly rate: number;
  readonly capacity: number;
  /** Tokens left at `at`; negative while a batch's debt is being paid. */
  readonly tokens: number;
  /** Milliseconds timestamp of `tokens`. */
  readonly at: number;
}

/** A full bucket for `rate` documents per second. */
export function tokenBucket(rate: number, now: number, capacity = rate): TokenBucket {
  if (!(rate > 0) || !(capacity > 0)) throw new RangeError(`rate and capacity must be above 0 (got ${rate})`);
  return { rate, capacity, tokens: capacity, at: now };
}

/** Takes `n` tokens at `now`: the bucket after, and how long to wait before going on. */
export function takeTokens(
  bucket: TokenBucket,
  n: number,
  now: number,
): { bucket: TokenBucket; waitMs: number } {
  const refilled = Math.min(
    bucket.capacity,
    bucket.tokens + (Math.max(0, now - bucket.at) / 1000) * bucket.rate,
  );
  const tokens = refilled - n;
  const waitMs = tokens < 0 ? Math.ceil((-tokens / bucket.rate) * 1000) : 0;
  return { bucket: { ...bucket, tokens, at: Math.max(now, bucket.at) }, waitMs };
}
