import { BatchWriteItemCommand, type DynamoDBClient, type WriteRequest } from '@aws-sdk/client-dynamodb';

/** Attempts of one BatchWriteItem before its unprocessed items fail the bench run. */
export const batchWriteAttempts = 8;

/**
 * One BatchWriteItem of up to 25 requests, its unprocessed items sent again with exponential
 * backoff (10 ms doubling) until none is left: what the baselines' writes, the plain and the safe
 * one, both do by hand. Throws after {@link batchWriteAttempts}.
 */
export async function batchWriteAll(
  client: DynamoDBClient,
  tableName: string,
  requests: WriteRequest[],
): Promise<void> {
  let pending = requests;
  for (let attempt = 0; pending.length > 0; attempt++) {
    if (attempt === batchWriteAttempts)
      throw new Error(`${pending.length} items still unprocessed after ${batchWriteAttempts} attempts`);
    if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 10 * 2 ** attempt));
    const out = await client.send(new BatchWriteItemCommand({ RequestItems: { [tableName]: pending } }));
    pending = out.UnprocessedItems?.[tableName] ?? [];
  }
}
