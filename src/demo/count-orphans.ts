import { getPath } from '../core/json.js';
import type { ExampleReference } from '../example/case-management-model.js';
import { exampleSpec } from '../example/generate-example.js';
import { scanPages } from '../stores/scan-pages.js';
import { type DocKey, isDocKey, keyId, type Store } from '../stores/store.js';

/**
 * The demo's small orphan count for one example reference: one scan of the source, and one
 * getMany per page for that page's distinct target keys (never one lookup per document). The
 * integrity capability builds the full, resumable, audited scan on the same two calls.
 */
export async function countOrphans(
  store: Store,
  ref: ExampleReference,
): Promise<{ scanned: number; orphans: number; lookups: number }> {
  const source = store.collection(exampleSpec(ref.collection));
  const target = store.collection(exampleSpec(ref.target));
  let scanned = 0;
  let orphans = 0;
  let lookups = 0;
  for await (const page of scanPages(source, { limit: 1000 })) {
    const keysByDoc = page.docs.map((doc) => referencedKeys(getPath(doc, ref.field)));
    const distinct = new Map(keysByDoc.flat().map((k) => [keyId(k), k]));
    const found = distinct.size > 0 ? await target.getMany([...distinct.values()]) : new Map();
    lookups += distinct.size > 0 ? 1 : 0;
    orphans += keysByDoc.filter((keys) => keys.some((k) => !found.has(keyId(k)))).length;
    scanned += page.docs.length;
  }
  return { scanned, orphans, lookups };
}

function referencedKeys(value: unknown): DocKey[] {
  if (Array.isArray(value)) return value.filter(isDocKey);
  return isDocKey(value) ? [value] : [];
}
