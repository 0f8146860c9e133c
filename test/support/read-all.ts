import type { JsonObject } from '../../src/core/json.js';
import { scanDocuments } from '../../src/stores/scan-pages.js';
import type { Collection, ScanOptions } from '../../src/stores/store.js';

/** Every document of a scan in one array: for tests on small collections only. */
export async function readAll(collection: Collection, options: ScanOptions = {}): Promise<JsonObject[]> {
  const out: JsonObject[] = [];
  for await (const doc of scanDocuments(collection, options)) out.push(doc);
  return out;
}
