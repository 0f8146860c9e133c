/**
 * Yields what an async iterator yields while already waiting for the next item, so reading the
 * next page of a scan overlaps the work on the current one (checking it against a target, writing
 * its rewrites): on a server store, two round trips in flight instead of one after the other. At
 * most two pages in memory. On SQLite, whose driver is synchronous, it changes nothing but the
 * order of the calls. Callers that write must only write documents of pages already yielded,
 * never of the page being read ahead.
 */
export async function* readAhead<T>(items: AsyncIterable<T>): AsyncGenerator<T> {
  const iterator = items[Symbol.asyncIterator]();
  let next = iterator.next();
  try {
    while (true) {
      const current = await next;
      if (current.done) return;
      next = iterator.next();
      // Awaited on the next turn; this only keeps a failure from being reported as unhandled
      // when the consumer stops before then.
      next.catch(() => undefined);
      yield current.value;
    }
  } finally {
    await iterator.return?.();
  }
}
