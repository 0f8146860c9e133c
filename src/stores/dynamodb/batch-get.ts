import { BatchGetItemCommand } from '@aws-sdk/client-dynamodb';
import { StewardError } from '../../errors/steward-error.js';
import { retryLeftovers } from './batch-retry.js';
import { batchCallsInFlight, chunk, mapLimit } from './concurrency.js';
import type { DynamoClient } from './dynamodb-client.js';
import type { Item } from './json-values.js';

/** BatchGetItem's limit of keys per call. */
export const maxBatchGet = 100;

/** Only these attributes of each item, for reads that need less than the whole item. */
export interface Projection {
  readonly ProjectionExpression: string;
  readonly ExpressionAttributeNames: Record<string, string>;
}

/**
 * Reads items by primary key with BatchGetItem, 100 keys a call and up to {@link batchCallsInFlight} calls at once,
 * strongly consistent so a document written a moment ago is found. UnprocessedKeys (throttling,
 * or the 16 MB response limit) are retried with backoff; keys still unprocessed after
 * `maxAttempts` raise `store.failed` naming them, never a silently shorter answer.
 */
export async function batchGetItems(
  client: DynamoClient,
  table: string,
  keys: readonly Item[],
  projection?: Projection,
): Promise<Item[]> {
  const pages = await mapLimit(chunk(keys, maxBatchGet), batchCallsInFlight, async (keysOfChunk) => {
    const found: Item[] = [];
    const outcome = await retryLeftovers(
      keysOfChunk,
      async (pending) => {
        const out = await client.call('BatchGetItem', table, (sdk) =>
          sdk.send(
            new BatchGetItemCommand({
              RequestItems: { [table]: { Keys: pending, ConsistentRead: true, ...projection } },
            }),
          ),
        );
        found.push(...(out.Responses?.[table] ?? []));
        return out.UnprocessedKeys?.[table]?.Keys ?? [];
      },
      client.retry,
    );
    if (outcome.leftovers.length > 0) throw unprocessedKeys(table, outcome.leftovers, outcome.attempts);
    return found;
  });
  return pages.flat();
}

function unprocessedKeys(table: string, keys: Item[], attempts: number): StewardError {
  const shown = keys.slice(0, 10).map(describeKey);
  const more = keys.length > shown.length ? ` and ${keys.length - shown.length} more` : '';
  return new StewardError(
    'store.failed',
    `DynamoDB left ${keys.length} keys of table "${table}" unread after ${attempts} attempts (throttled): ${shown.join(', ')}${more}. Retry later, or raise the table's read capacity or maxAttempts.`,
    { table, unprocessed: keys.length, keys: keys.map(describeKey) },
  );
}

/** A primary key for messages, such as `id=S:k7`. */
export function describeKey(key: Item): string {
  return Object.entries(key)
    .map(([name, value]) => `${name}=${Object.entries(value)[0]?.join(':') ?? '?'}`)
    .join(',');
}
