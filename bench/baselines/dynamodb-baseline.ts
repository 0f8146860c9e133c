import {
  type AttributeValue,
  CreateTableCommand,
  DeleteTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ListTablesCommand,
  ResourceNotFoundException,
  ScanCommand,
  type WriteRequest,
  waitUntilTableExists,
  waitUntilTableNotExists,
} from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import type { JsonObject } from '../../src/core/json.js';
import { StewardError } from '../../src/errors/steward-error.js';
import type { DynamoStoreConfig } from '../../src/stores/store-config.js';
import { type Baseline, baselineName } from './baseline.js';
import { batchWriteAll } from './dynamodb-batch-write.js';
import { dynamoSafeLoop } from './dynamodb-safe-loop.js';

const itemsPerRequest = 25;
const inFlight = 32;

/**
 * The AWS SDK by hand: BatchWriteItem of 25 items with 32 requests in flight, unprocessed items
 * retried with exponential backoff; Scan page after page, each item unmarshalled as the seam must
 * (and, for checks that need one field, the same Scan with a ProjectionExpression, in pages of
 * up to 10,000 items: the 1 MB a page reads comes first).
 * The fastest write a user could write for a migration (issue 17, `bench/tools/dynamodb-write-modes.ts`
 * on DynamoDB Local, 20k documents): 8, 16 and 32 BatchWriteItem calls in flight took the same CPU
 * and 32 the least wall time; conditional PutItem or UpdateItem one document a call, 16 to 64 in
 * flight, took 7-10x the wall time and CPU, TransactWriteItems of 100 1.5-2.5x the server's CPU.
 * The SDK's logger middleware is removed as steward's adapter removes it (it copies every request
 * and response for a no-op logger), so neither side pays it.
 */
export async function openDynamoBaseline(config: DynamoStoreConfig): Promise<Baseline> {
  const client = new DynamoDBClient({
    region: config.region,
    endpoint: config.endpoint,
    credentials: config.credentials,
    maxAttempts: 3,
  });
  client.middlewareStack.remove('loggerMiddleware');
  try {
    await client.send(new ListTablesCommand({ Limit: 1 }), { abortSignal: AbortSignal.timeout(5000) });
  } catch (error) {
    client.destroy();
    throw new StewardError(
      'store.unreachable',
      `DynamoDB at ${config.endpoint ?? config.region} did not answer (${(error as Error).message}). Start it, or set STEWARD_BENCH_DYNAMODB_ENDPOINT.`,
    );
  }
  // The same prefix as the seam's tables, so concurrent runs with different prefixes never meet.
  const table = { TableName: `${config.tablePrefix ?? ''}${baselineName}` };
  const safe = dynamoSafeLoop(client, table.TableName);
  const drop = async (): Promise<void> => {
    await safe.drop();
    try {
      await client.send(new DeleteTableCommand(table));
      await waitUntilTableNotExists({ client, maxWaitTime: 60 }, table);
    } catch (error) {
      if (!(error instanceof ResourceNotFoundException)) throw error;
    }
  };
  return {
    async reset() {
      await drop();
      await safe.reset();
      await client.send(
        new CreateTableCommand({
          ...table,
          AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
          KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
          BillingMode: 'PAY_PER_REQUEST',
        }),
      );
      await waitUntilTableExists({ client, maxWaitTime: 60 }, table);
    },
    async write(docs) {
      const chunks: WriteRequest[][] = [];
      for (let i = 0; i < docs.length; i += itemsPerRequest) {
        chunks.push(
          docs.slice(i, i + itemsPerRequest).map((doc) => ({ PutRequest: { Item: marshall(doc) } })),
        );
      }
      const worker = async (): Promise<void> => {
        for (let chunk = chunks.shift(); chunk; chunk = chunks.shift())
          await batchWriteAll(client, table.TableName, chunk);
      };
      await Promise.all(Array.from({ length: inFlight }, worker));
    },
    async scan(poll) {
      let n = 0;
      let start: Record<string, AttributeValue> | undefined;
      do {
        // Limit 1000: 1.26x faster than unpaged 1 MB pages on DynamoDB Local (issue 17).
        const page = await client.send(new ScanCommand({ ...table, Limit: 1000, ExclusiveStartKey: start }));
        for (const item of page.Items ?? []) if (unmarshall(item) as JsonObject) n++;
        start = page.LastEvaluatedKey;
        poll();
      } while (start);
      return n;
    },
    async scanFields(fields, poll) {
      const names = ['id', ...fields];
      const projection = {
        ProjectionExpression: names.map((_, i) => `#f${i}`).join(', '),
        ExpressionAttributeNames: Object.fromEntries(names.map((name, i) => [`#f${i}`, name])),
      };
      let n = 0;
      let start: Record<string, AttributeValue> | undefined;
      do {
        // Limit 10,000: a projected page stops at 1 MB read first (about 6,700 items here), and
        // the fewer requests cost less CPU than pages of 1000 (145-150 against 230-330 ms at
        // 100k on DynamoDB Local, wall time no worse; no Limit at all took 10-30 s there).
        const page = await client.send(
          new ScanCommand({ ...table, ...projection, Limit: 10_000, ExclusiveStartKey: start }),
        );
        for (const item of page.Items ?? []) if (unmarshall(item) as JsonObject) n++;
        start = page.LastEvaluatedKey;
        poll();
      } while (start);
      return n;
    },
    async orphanCheck(source, target, field, poll) {
      const prefix = config.tablePrefix ?? '';
      const keyOf = async (name: string) => {
        const out = await client.send(new DescribeTableCommand({ TableName: name }));
        const key = out.Table?.KeySchema?.find((k) => k.KeyType === 'HASH')?.AttributeName;
        if (!key) throw new StewardError('store.failed', `table "${name}" reports no partition key`);
        return key;
      };
      const targetTable = `${prefix}${target}`;
      const sourceTable = `${prefix}${source}`;
      const targetKey = await keyOf(targetTable);
      const keys = new Set<string>();
      await scanProjected(
        client,
        targetTable,
        [targetKey],
        (item) => {
          const value = item[targetKey]?.S;
          if (value !== undefined) keys.add(value);
        },
        poll,
      );
      const sourceKey = await keyOf(sourceTable);
      let orphans = 0;
      await scanProjected(
        client,
        sourceTable,
        [sourceKey, field],
        (item) => {
          const value = item[field]?.S;
          if (value !== undefined && !keys.has(value)) orphans++;
        },
        poll,
      );
      return orphans;
    },
    async safeUpdateLoop(job) {
      return safe.run(job);
    },
    async safeRollback(poll) {
      return safe.rollback(poll);
    },
    async digestCensus() {
      return safe.census();
    },
    drop,
    async close() {
      client.destroy();
    },
  };
}

/** Scans a table projected on `names`, pages of up to 10,000 items (a page stops at 1 MB read first). */
async function scanProjected(
  client: DynamoDBClient,
  table: string,
  names: readonly string[],
  each: (item: Record<string, AttributeValue>) => void,
  poll: () => void,
): Promise<void> {
  const projection = {
    ProjectionExpression: names.map((_, i) => `#f${i}`).join(', '),
    ExpressionAttributeNames: Object.fromEntries(names.map((name, i) => [`#f${i}`, name])),
  };
  let start: Record<string, AttributeValue> | undefined;
  do {
    const page = await client.send(
      new ScanCommand({ TableName: table, ...projection, Limit: 10_000, ExclusiveStartKey: start }),
    );
    for (const item of page.Items ?? []) each(item);
    start = page.LastEvaluatedKey;
    poll();
  } while (start);
}
