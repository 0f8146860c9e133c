/**
 * Batch calls (BatchGetItem, BatchWriteItem, TransactWriteItems) one `getMany` or `write` call has
 * in flight at once: the adapter's concurrency limit. Ten carries a migration batch of 1,000
 * documents in one wave (ten reads of 100 keys, ten transactions of 100 writes) instead of three,
 * and keeps a table's capacity from being hit by hundreds of calls at once; throttled calls are
 * retried with backoff (batch-retry.ts).
 */
export const batchCallsInFlight = 10;

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
