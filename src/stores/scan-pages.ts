import type { JsonObject } from '../core/json.js';
import type { Collection, Page, ScanOptions } from './store.js';

/**
 * Every page of a scan, from `options.after` (or the start) to the end: the one loop over resume
 * tokens, so callers never re-implement it (and never forget to start from `after`). Pages are
 * read one at a time, so memory holds one page whatever the collection's size.
 */
export async function* scanPages(collection: Collection, options: ScanOptions = {}): AsyncGenerator<Page> {
  let after = options.after ?? null;
  do {
    const page = await collection.scan({ ...options, after });
    yield page;
    after = page.next;
  } while (after);
}

/** Every document of a scan, one page in memory at a time (see {@link scanPages}). */
export async function* scanDocuments(
  collection: Collection,
  options: ScanOptions = {},
): AsyncGenerator<JsonObject> {
  for await (const page of scanPages(collection, options)) yield* page.docs;
}
