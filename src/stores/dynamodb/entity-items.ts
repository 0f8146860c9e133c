import { ScanCommand, type ScanCommandInput } from '@aws-sdk/client-dynamodb';
import { batchWrite, writeIncomplete } from './batch-write.js';
import type { DynamoClient } from './dynamodb-client.js';
import { ExpressionBuilder } from './expression-builder.js';
import type { ItemMapper } from './item-mapping.js';

/**
 * Deletes every item of a single-table entity, page by page: a Scan for keys only (filtered on
 * the entity's prefix, sort key and discriminator), then BatchWriteItem deletes. The shared
 * table and the other entities in it stay. Not atomic: items written meanwhile may survive.
 */
export async function deleteEntityItems(client: DynamoClient, mapper: ItemMapper): Promise<void> {
  const { table, partitionKey, sortKey } = mapper.mapping;
  const b = new ExpressionBuilder();
  const filter = mapper.selector(b);
  const keyNames = [partitionKey, ...(sortKey ? [sortKey.name] : [])];
  const input: ScanCommandInput = {
    TableName: table,
    ProjectionExpression: keyNames.map((n) => b.name(n)).join(', '),
    ConsistentRead: true,
    ...(filter ? { FilterExpression: filter } : {}),
    ...b.params(),
  };
  do {
    const out = await client.call('Scan', table, (sdk) => sdk.send(new ScanCommand(input)));
    const requests = (out.Items ?? []).map((key) => ({ DeleteRequest: { Key: key } }));
    const leftovers = await batchWrite(client, table, requests).catch((error) => {
      throw client.translate(error, 'BatchWriteItem', table);
    });
    if (leftovers.length > 0) throw writeIncomplete(table, leftovers, keyNames);
    input.ExclusiveStartKey = out.LastEvaluatedKey;
  } while (input.ExclusiveStartKey);
}
