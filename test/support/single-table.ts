/**
 * A DynamoDB single-table design as an existing application makes it with the AWS SDK: one table
 * keyed by `PK` (partition) and `SK` (sort), both strings, its items planted straight through the
 * SDK, never through steward. Shared by the single-table key tests and the real-data shop world.
 */
import {
  type AttributeValue,
  BatchWriteItemCommand,
  CreateTableCommand,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';

/** An item as the SDK writes it. */
export type SdkItem = Record<string, AttributeValue>;

/** Creates the `PK`/`SK` table; a DynamoDB that refuses fails naming `endpoint`. */
export async function createSingleTable(sdk: DynamoDBClient, table: string, endpoint: string): Promise<void> {
  try {
    await sdk.send(
      new CreateTableCommand({
        TableName: table,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [
          { AttributeName: 'PK', AttributeType: 'S' },
          { AttributeName: 'SK', AttributeType: 'S' },
        ],
        KeySchema: [
          { AttributeName: 'PK', KeyType: 'HASH' },
          { AttributeName: 'SK', KeyType: 'RANGE' },
        ],
      }),
    );
  } catch (error) {
    throw new Error(`DynamoDB Local at ${endpoint} is not reachable: ${(error as Error).message}`);
  }
}

/** Writes the items in BatchWriteItem calls of 25; an item left unprocessed fails the planting. */
export async function putItems(sdk: DynamoDBClient, table: string, items: readonly SdkItem[]): Promise<void> {
  for (let i = 0; i < items.length; i += 25) {
    const out = await sdk.send(
      new BatchWriteItemCommand({
        RequestItems: { [table]: items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } })) },
      }),
    );
    if (Object.keys(out.UnprocessedItems ?? {}).length > 0)
      throw new Error('DynamoDB Local left items unprocessed');
  }
}
