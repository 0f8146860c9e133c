/**
 * Batch calls (BatchGetItem, BatchWriteItem, TransactWriteItems) one `getMany` or `write` call has
 * in flight at once: the adapter's concurrency limit. Ten carries a migration batch of 1,000
 * documents in one wave (ten reads of 100 keys, ten transactions of 100 writes) instead of three,
 * and keeps a table's capacity from being hit by hundreds of calls at once; throttled calls are
 * retried with backoff (batch-retry.ts).
 */
export const batchCallsInFlight = 10;

/** The most TransactWriteItems calls a store's `transactionsInFlight` setting may allow at once. */
export const maxTransactionsInFlight = 25;

/**
 * TransactWriteItems calls one client has in flight at once: the store's `transactionsInFlight`
 * setting when it has one, else a default chosen by the endpoint. AWS runs transactions on
 * distinct items side by side, so there the adapter's limit holds. DynamoDB Local runs them one at
 * a time, and transactions sent together cost it more: 200 transactions of 100 conditional puts
 * took 2.0-2.4 s of its CPU and 2.6-4.0 s wall one at a time, 3.1-3.6 s and 5.5-8.5 s at 2, 4 or 10
 * in flight (`bench/tools/dynamodb-write-modes.ts`, issue 17). So an endpoint that is not AWS's
 * (DynamoDB Local, or another local emulator) gets one at a time; AWS's own, or none configured,
 * the limit. The setting is for endpoints the host name misjudges (a proxy in front of AWS, an
 * emulator that runs transactions side by side).
 */
export function transactionsInFlight(endpoint: string | undefined, setting?: number): number {
  if (setting !== undefined) return setting;
  if (endpoint === undefined) return batchCallsInFlight;
  let host: string;
  try {
    host = new URL(endpoint).hostname.toLowerCase();
  } catch {
    return 1;
  }
  const aws = ['.amazonaws.com', '.amazonaws.com.cn', '.api.aws'].some((suffix) => host.endsWith(suffix));
  return aws ? batchCallsInFlight : 1;
}

/** Why a `transactionsInFlight` setting is not valid, or undefined when it is. Pure. */
export function transactionsInFlightProblem(value: unknown): string | undefined {
  if (typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= maxTransactionsInFlight)
    return undefined;
  return `must be a whole number of transactions from 1 to ${maxTransactionsInFlight} (got ${JSON.stringify(value)})`;
}

/**
 * At most `limit` calls at once among everything that runs through it, whichever `write` call
 * started them; the others wait their turn in order.
 */
export class CallGate {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(readonly limit: number) {}

  async run<T>(call: () => Promise<T>): Promise<T> {
    if (this.running >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.running++;
    try {
      return await call();
    } finally {
      // The slot passes straight to the next waiter, so `running` counts it still.
      const next = this.waiting.shift();
      if (next) next();
      else this.running--;
    }
  }
}

/**
 * Maps over items with at most `limit` calls in flight, keeping results in input order. Bounded
 * so a large write batch neither opens hundreds of sockets nor burns a table's capacity at once.
 * The first failure rejects the whole map (calls already started still finish).
 */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** Splits items into consecutive chunks of at most `size`. */
export function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
