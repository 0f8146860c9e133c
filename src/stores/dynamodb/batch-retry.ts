/**
 * Retrying what DynamoDB leaves undone. Batch calls (BatchGetItem, BatchWriteItem) answer with
 * the items they did not process, typically under throttling; single calls fail with a
 * throttling error. AWS asks clients to retry both with exponential backoff and jitter. These
 * helpers are pure logic over a callback, so they are tested without a store.
 */

/** How hard to retry. `sleep` and `random` are injectable so tests run instantly and repeatably. */
export interface RetryOptions {
  /** Calls in total, the first one included. */
  readonly maxAttempts: number;
  /** Delay cap of the first retry, in milliseconds; it doubles with every further retry. */
  readonly baseDelayMs?: number;
  /** Upper bound of any one delay, in milliseconds. */
  readonly maxDelayMs?: number;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly random?: () => number;
}

/** What {@link retryLeftovers} could not get done, and how many calls it made. */
export interface RetryOutcome<T> {
  readonly leftovers: T[];
  readonly attempts: number;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * The delay before retry number `retry` (1 for the first retry): "equal jitter", half the
 * exponential cap plus a random half, so retries spread out but never fire back to back.
 */
export function backoffDelay(
  retry: number,
  options: Omit<RetryOptions, 'maxAttempts' | 'sleep'> = {},
): number {
  const base = options.baseDelayMs ?? 50;
  const cap = Math.min(options.maxDelayMs ?? 5000, base * 2 ** Math.max(0, retry - 1));
  return Math.round(cap / 2 + (options.random ?? Math.random)() * (cap / 2));
}

/**
 * Calls `attempt` with `items`, then again with whatever it returns as unprocessed, backing off
 * between calls, until nothing is left or `maxAttempts` calls were made. Never drops anything
 * silently: the caller gets the leftovers and decides whether they are an error or a result.
 */
export async function retryLeftovers<T>(
  items: readonly T[],
  attempt: (pending: T[]) => Promise<T[]>,
  options: RetryOptions,
): Promise<RetryOutcome<T>> {
  const sleep = options.sleep ?? defaultSleep;
  let pending = [...items];
  let attempts = 0;
  while (pending.length > 0 && attempts < options.maxAttempts) {
    if (attempts > 0) await sleep(backoffDelay(attempts, options));
    attempts++;
    pending = await attempt(pending);
  }
  return { leftovers: pending, attempts };
}

/**
 * Runs `call`, retrying with backoff while `retryable` says its error is transient (throttling),
 * at most `maxAttempts` calls in all; the last error is rethrown unchanged.
 */
export async function retryThrottled<T>(
  call: () => Promise<T>,
  retryable: (error: unknown) => boolean,
  options: RetryOptions,
): Promise<T> {
  const sleep = options.sleep ?? defaultSleep;
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      if (attempt >= options.maxAttempts || !retryable(error)) throw error;
      await sleep(backoffDelay(attempt, options));
    }
  }
}
