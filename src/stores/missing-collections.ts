import type { CollectionSpec, Store } from './store.js';

/**
 * The collections of `specs` the store does not hold, read with one `listCollections`. A spec
 * mapped into a DynamoDB table lives in that table (its entity cannot be listed; the table can).
 * For checks made before a job starts, so a job over several collections fails before it writes
 * anything rather than half-way (a missing MongoDB collection would otherwise read as empty).
 */
export async function missingCollections(
  store: Store,
  specs: readonly CollectionSpec[],
): Promise<CollectionSpec[]> {
  if (specs.length === 0) return [];
  const existing = new Set(await store.listCollections());
  return specs.filter((spec) => !existing.has(spec.dynamodb?.table ?? spec.name));
}
