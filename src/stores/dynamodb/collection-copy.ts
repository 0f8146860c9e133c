import { keyFraction } from '../../core/hash.js';
import { StewardError } from '../../errors/steward-error.js';
import { scanPages } from '../scan-pages.js';
import { type CopyOptions, type CopyResult, docKey, keyId } from '../store.js';
import { batchWrite, writeIncomplete } from './batch-write.js';
import type { DynamoClient } from './dynamodb-client.js';
import type { DynamoCollection } from './dynamodb-collection.js';
import { sameItems } from './table-mapping.js';

/** How the copy prepares its target; the store supplies these so the copy needs no store. */
export interface CopyTargetPreparation {
  /** Drops the target, then creates it with the given partition key type. */
  recreate(target: DynamoCollection, partitionType: 'S' | 'N'): Promise<void>;
}

/**
 * Copies a collection, or its deterministic sample, into a freshly made target: streams the
 * source page by page (never the whole collection in memory) and writes each page with
 * BatchWriteItem. A sampled document is one whose `keyFraction(keyId(key), seed)` is below the
 * fraction, the same rule on every store, so a dry run samples the same documents everywhere.
 * The target's partition key type follows the source's (N stays N), else S.
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
  let copied = 0;
  for await (const page of scanPages(source, { limit: 500 })) {
    const kept = page.docs.filter((doc) => {
      const key = docKey(doc, source.spec);
      return key !== undefined && (fraction === 1 || keyFraction(keyId(key), options.seed) < fraction);
    });
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
    copied += kept.length;
  }
  return { copied };
}

function checkFraction(fraction: number | undefined): number {
  if (fraction === undefined) return 1;
  if (!(fraction > 0 && fraction <= 1)) {
    throw new StewardError('input.invalid', `copy fraction must be above 0 and at most 1, not ${fraction}`);
  }
  return fraction;
}
