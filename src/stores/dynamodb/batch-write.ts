import { BatchWriteItemCommand, type WriteRequest } from '@aws-sdk/client-dynamodb';
import { StewardError } from '../../errors/steward-error.js';
import { describeKey } from './batch-get.js';
import { retryLeftovers } from './batch-retry.js';
import { batchCallsInFlight, chunk, mapLimit } from './concurrency.js';
import type { DynamoClient } from './dynamodb-client.js';
import type { Item } from './json-values.js';

/** BatchWriteItem's limit of requests per call. */
export const maxBatchWrite = 25;

/**
 * Unconditional puts and deletes with BatchWriteItem, 25 a call and up to {@link batchCallsInFlight} calls at once,
 * retrying UnprocessedItems with backoff. Returns the requests still unprocessed after
 * `maxAttempts` (empty when everything was written); the caller reports them. A batch carries no
 * conditions, so only writes that need none come here. SDK errors are rethrown untranslated.
 */
export async function batchWrite(
  client: DynamoClient,
  table: string,
  requests: readonly WriteRequest[],
): Promise<WriteRequest[]> {
  const rest = await mapLimit(chunk(requests, maxBatchWrite), batchCallsInFlight, async (batch) => {
    const outcome = await retryLeftovers(
      batch,
      async (pending) => {
        const out = await client.send((sdk) =>
          sdk.send(new BatchWriteItemCommand({ RequestItems: { [table]: pending } })),
        );
        return out.UnprocessedItems?.[table] ?? [];
      },
      client.retry,
    );
    return outcome.leftovers;
  });
  return rest.flat();
}

/** The primary key a write request addresses, as a string, to match leftovers with their writes. */
export function requestKey(request: WriteRequest, keyNames: readonly string[]): string {
  const item: Item = request.PutRequest?.Item ?? request.DeleteRequest?.Key ?? {};
  return JSON.stringify(keyNames.map((name) => item[name] ?? null));
}

/** The error for writes DynamoDB would not take even after retries; names the keys. */
export function writeIncomplete(
  table: string,
  leftovers: readonly WriteRequest[],
  keyNames: readonly string[],
): StewardError {
  const keys = leftovers.map((r) => {
    const item: Item = r.PutRequest?.Item ?? r.DeleteRequest?.Key ?? {};
    return describeKey(Object.fromEntries(keyNames.map((n) => [n, item[n] ?? { NULL: true }])));
  });
  return new StewardError(
    'store.write-incomplete',
    `DynamoDB left ${keys.length} writes to table "${table}" unprocessed after retries (throttled): ${keys.slice(0, 10).join(', ')}${keys.length > 10 ? ', ...' : ''}. Retry later, or raise the table's write capacity or maxAttempts.`,
    { table, unprocessed: keys.length, keys },
  );
}
