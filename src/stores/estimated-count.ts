import type { Collection } from './store.js';

/**
 * The store's cheap estimate of a collection's documents, for a progress bar's total; undefined
 * when the store cannot give one. A progress total is never worth failing a job over: a store that
 * is really gone fails the job's next read with its own error.
 */
export async function estimatedCount(collection: Collection): Promise<number | undefined> {
  try {
    return await collection.count({ estimate: true });
  } catch {
    return undefined;
  }
}
