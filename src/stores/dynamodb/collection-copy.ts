import { keyFraction } from '../../core/hash.js';
import type { JsonObject } from '../../core/json.js';
import { StewardError } from '../../errors/steward-error.js';
import { scanPages } from '../scan-pages.js';
import { type CopyOptions, type CopyResult, type DocKey, docKey, keyId } from '../store.js';
import { batchWrite, writeIncomplete } from './batch-write.js';
import type { batchCallsInFlight } from './concurrency.js';
import type { DynamoClient } from './dynamodb-client.js';
import type { DynamoCollection } from './dynamodb-collection.js';
import { sameItems } from './table-mapping.js';

/** How the copy prepares its target; the store supplies these so the copy needs no store. */
export interface CopyTargetPreparation {
  /** Drops the target, then creates it with the given partition key type. */
  recreate(target: DynamoCollection, partitionType: 'S' | 'N'): Promise<void>;
}

/**
 * Scan segments a copy reads at once (DynamoDB's parallel Scan, Segment of TotalSegments). Each
 * segment has one page read and its writes in flight, so four stay within the adapter's
 * {@link batchCallsInFlight} calls; on DynamoDB Local, one scan after another left the copy
 * waiting on each page's round trip (measured in BENCHMARKS.md, issue 17).
 */
export const copySegments = 4;

/**
 * Below this fraction the copy scans keys only and fetches the sampled documents with
 * BatchGetItem: the other items are then neither sent nor unmarshalled (a 10% sample reads about a
 * tenth of the documents whole). At or above it, one whole-item scan is cheaper than the two reads.
 */
export const keysFirstBelow = 0.5;

/**
 * Copies a collection, or its deterministic sample, into a freshly made target: streams the
 * source page by page in {@link copySegments} parallel scan segments (never the whole collection
 * in memory) and writes each page with BatchWriteItem. A sampled document is one whose
 * `keyFraction(keyId(key), seed)` is below the fraction, the same rule on every store, so a dry
 * run samples the same documents everywhere; a small sample is found by a keys-only scan and
 * fetched with BatchGetItem (see {@link keysFirstBelow}). The target's partition key type follows
 * the source's (N stays N), else S.
 */
export async function copyCollection(
  client: DynamoClient,
  prepare: CopyTargetPreparation,
  source: DynamoCollection,
  target: DynamoCollection,
  options: CopyOptions = {},
): Promise<CopyResult> {
  const fraction = checkFraction(options.fraction);
  if (sameItems(source.mapping, target.mapping)) {
    throw new StewardError('input.invalid', `cannot copy collection "${source.spec.name}" onto itself`);
  }
  const sourceMapper = await source.mapper(); // fails on a missing source before the target is touched
  await prepare.recreate(target, sourceMapper.keys.partition.type === 'N' ? 'N' : 'S');
  const targetMapper = await target.mapper();
  const table = target.mapping.table;
  const keyNames = [
    targetMapper.keys.partition.name,
    ...(targetMapper.keys.sort ? [targetMapper.keys.sort.name] : []),
  ];
  const keysFirst = fraction < keysFirstBelow;
  const sampled = (doc: JsonObject): DocKey | undefined => {
    const key = docKey(doc, source.spec);
    return key !== undefined && (fraction === 1 || keyFraction(keyId(key), options.seed) < fraction)
      ? key
      : undefined;
  };
  const copyPage = async (docs: readonly JsonObject[]): Promise<number> => {
    const keys = docs.map(sampled).filter((key): key is DocKey => key !== undefined);
    const kept = keysFirst
      ? [...(await source.getMany(keys)).values()]
      : docs.filter((doc) => sampled(doc) !== undefined);
    const requests = kept.map((doc) => {
      const item = targetMapper.toItem({ ...doc, [target.spec.keyField]: doc[source.spec.keyField] ?? null });
      if (typeof item === 'string')
        throw new StewardError('input.invalid', `cannot copy into "${table}": ${item}`);
      return { PutRequest: { Item: item } };
    });
    const leftovers = await batchWrite(client, table, requests).catch((error) => {
      throw client.translate(error, 'BatchWriteItem', table);
    });
    if (leftovers.length > 0) throw writeIncomplete(table, leftovers, keyNames);
    return kept.length;
  };
  const segments = Array.from({ length: copySegments }, (_, index) => ({ index, total: copySegments }));
  const counts = await Promise.all(
    segments.map(async (segment) => {
      let copied = 0;
      const pages = scanPages(source, { limit: keysFirst ? 1000 : 500, segment, keysOnly: keysFirst });
      for await (const page of pages) copied += await copyPage(page.docs);
      return copied;
    }),
  );
  return { copied: counts.reduce((sum, n) => sum + n, 0) };
}

function checkFraction(fraction: number | undefined): number {
  if (fraction === undefined) return 1;
  if (!(fraction > 0 && fraction <= 1)) {
    throw new StewardError('input.invalid', `copy fraction must be above 0 and at most 1, not ${fraction}`);
  }
  return fraction;
}
