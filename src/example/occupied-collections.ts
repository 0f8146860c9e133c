import { isStewardError } from '../errors/steward-error.js';
import { scanPages } from '../stores/scan-pages.js';
import type { CollectionSpec, Store } from '../stores/store.js';

/**
 * The names of those collections that exist and hold at least one document: what the example
 * generator would overwrite or mix with. Reads at most the first page that holds a document of
 * each, and creates nothing (a collection that does not exist is simply free).
 */
export async function occupiedCollections(store: Store, specs: readonly CollectionSpec[]): Promise<string[]> {
  const occupied: string[] = [];
  for (const spec of specs) if (await holdsDocuments(store, spec)) occupied.push(spec.name);
  return occupied;
}

async function holdsDocuments(store: Store, spec: CollectionSpec): Promise<boolean> {
  try {
    // A page may come back empty with more to read (DynamoDB counts before its filter).
    for await (const page of scanPages(store.collection(spec), { limit: 100, keysOnly: true }))
      if (page.docs.length > 0) return true;
    return false;
  } catch (error) {
    if (isStewardError(error, 'collection.not-found')) return false;
    throw error;
  }
}
