/**
 * Which way of writing a migration's documents is fastest on DynamoDB, straight through the SDK
 * (issue 17): unconditional BatchWriteItem of 25, conditional PutItem or UpdateItem one document a
 * call, TransactWriteItems of 25 to 100 conditional puts, PartiQL BatchExecuteStatement of 25
 * conditional UPDATEs, each at several calls in flight. Prints wall time, this process's CPU and the
 * server's (STEWARD_BENCH_SERVER_PID) per mode. Decided the baseline and the adapter's write path:
 *   EP=http://127.0.0.1:<port> STEWARD_BENCH_SERVER_PID=<java pid> N=20000 [MODES=bw25-c8,tx100-c8] \
 *     node --import tsx bench/tools/dynamodb-write-modes.ts
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import {
  type AttributeValue,
  BatchExecuteStatementCommand,
  BatchGetItemCommand,
  BatchWriteItemCommand,
  CreateTableCommand,
  DeleteTableCommand,
  DynamoDBClient,
  PutItemCommand,
  ScanCommand,
  TransactWriteItemsCommand,
  UpdateItemCommand,
  type WriteRequest,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { createExampleRows } from '../../src/example/example-rows.js';

const N = Number(process.env.N ?? 20000);
const client = new DynamoDBClient({
  region: 'us-east-1',
  endpoint: process.env.EP,
  credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
});
// As steward's adapter and the bench baseline do: no logger middleware copying every request.
client.middlewareStack.remove('loggerMiddleware');
const TableName = 'modes_tasks';
const ImageTable = 'modes_images';
const rows = createExampleRows({ docs: N, seed: 1 });
const docs = Array.from({ length: N }, (_, i) => rows.row('tasks', i) as Record<string, unknown>);
const server = () => {
  const s = readFileSync(`/proc/${process.env.STEWARD_BENCH_SERVER_PID}/stat`, 'utf8');
  const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) * 10;
};
async function pool<T>(items: T[], n: number, fn: (t: T) => Promise<void>) {
  let i = 0;
  await Promise.all(
    Array.from({ length: n }, async () => {
      while (i < items.length) await fn(items[i++] as T);
    }),
  );
}
const chunks = <T>(a: T[], n: number) => {
  const o: T[][] = [];
  for (let i = 0; i < a.length; i += n) o.push(a.slice(i, i + n));
  return o;
};
let version = 1;
let retries = 0;
let delay = 0;
const next = (d: Record<string, unknown>, v: number) => ({
  ...d,
  summary: d.title ?? null,
  done: d.status === 'done',
  schemaVersion: v,
});
async function bw(items: Record<string, unknown>[], c: number, table = TableName, size = 25) {
  await pool(chunks(items, size), c, async (ch) => {
    let p: WriteRequest[] = ch.map((d) => ({
      PutRequest: { Item: marshall(d, { removeUndefinedValues: true }) },
    }));
    while (p.length) {
      const o = await client.send(new BatchWriteItemCommand({ RequestItems: { [table]: p } }));
      p = o.UnprocessedItems?.[table] ?? [];
    }
  });
}
const modes: Record<string, () => Promise<void>> = {};
for (const c of [8, 16, 32])
  modes[`bw25-c${c}`] = () =>
    bw(
      docs.map((d) => next(d, version + 1)),
      c,
    );
for (const c of [1, 16, 32, 64])
  modes[`putcond-c${c}`] = () =>
    pool(docs, c, async (d) => {
      await client.send(
        new PutItemCommand({
          TableName,
          Item: marshall(next(d, version + 1), { removeUndefinedValues: true }),
          ConditionExpression: 'attribute_exists(#id) AND #v = :v',
          ExpressionAttributeNames: { '#id': 'id', '#v': 'schemaVersion' },
          ExpressionAttributeValues: { ':v': { N: String(version) } },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
    });
for (const c of [16, 32, 64])
  modes[`updcond-c${c}`] = () =>
    pool(docs, c, async (d) => {
      await client.send(
        new UpdateItemCommand({
          TableName,
          Key: { id: { S: String(d.id) } },
          UpdateExpression: 'SET #s = :s, #d = :d, #v = :n',
          ConditionExpression: 'attribute_exists(#id) AND #v = :v',
          ExpressionAttributeNames: { '#id': 'id', '#v': 'schemaVersion', '#s': 'summary', '#d': 'done' },
          ExpressionAttributeValues: {
            ':v': { N: String(version) },
            ':n': { N: String(version + 1) },
            ':s': { S: String(d.title) },
            ':d': { BOOL: d.status === 'done' },
          },
        }),
      );
    });
for (const [size, c] of [
  [100, 4],
  [100, 8],
  [100, 10],
  [100, 16],
  [100, 32],
  [25, 16],
  [50, 16],
  [1, 1],
] as const)
  modes[`tx${size}-c${c}`] = () =>
    pool(chunks(docs, size), c, async (ch) => {
      const o = await client.send(
        new TransactWriteItemsCommand({
          TransactItems: ch.map((d) => ({
            Put: {
              TableName,
              Item: marshall(next(d, version + 1), { removeUndefinedValues: true }),
              ConditionExpression: 'attribute_exists(#id) AND #v = :v',
              ExpressionAttributeNames: { '#id': 'id', '#v': 'schemaVersion' },
              ExpressionAttributeValues: { ':v': { N: String(version) } },
            },
          })),
        }),
      );
      retries += (o.$metadata.attempts ?? 1) - 1;
      delay += o.$metadata.totalRetryDelay ?? 0;
    });

// One at a time, with the version condition alone (a missing item fails it as well).
modes['tx100eq-c1'] = () =>
  pool(chunks(docs, 100), 1, async (ch) => {
    await client.send(
      new TransactWriteItemsCommand({
        ClientRequestToken: randomUUID(),
        TransactItems: ch.map((d) => ({
          Put: {
            TableName,
            Item: marshall(next(d, version + 1), { removeUndefinedValues: true }),
            ConditionExpression: '#v = :v',
            ExpressionAttributeNames: { '#v': 'schemaVersion' },
            ExpressionAttributeValues: { ':v': { N: String(version) } },
          },
        })),
      }),
    );
  });
// The same transactions with an idempotency token, as the adapter sends them.
for (const c of [1, 2, 4, 10])
  modes[`tx100tok-c${c}`] = () =>
    pool(chunks(docs, 100), c, async (ch) => {
      await client.send(
        new TransactWriteItemsCommand({
          ClientRequestToken: randomUUID(),
          TransactItems: ch.map((d) => ({
            Put: {
              TableName,
              Item: marshall(next(d, version + 1), { removeUndefinedValues: true }),
              ConditionExpression: 'attribute_exists(#id) AND #v = :v',
              ExpressionAttributeNames: { '#id': 'id', '#v': 'schemaVersion' },
              ExpressionAttributeValues: { ':v': { N: String(version) } },
            },
          })),
        }),
      );
    });
for (const c of [8, 16])
  modes[`partiql25-c${c}`] = () =>
    pool(chunks(docs, 25), c, async (ch) => {
      const o = await client.send(
        new BatchExecuteStatementCommand({
          Statements: ch.map((d) => ({
            Statement: `UPDATE "${TableName}" SET summary=? SET done=? SET schemaVersion=? WHERE id=? AND schemaVersion=?`,
            Parameters: [
              { S: String(d.title) },
              { BOOL: d.status === 'done' },
              { N: String(version + 1) },
              { S: String(d.id) },
              { N: String(version) },
            ],
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          })),
        }),
      );
      const bad = (o.Responses ?? []).filter((r) => r.Error);
      if (bad.length) throw new Error(JSON.stringify(bad[0]));
    });
// The shapes apply's other work takes: a consistent Scan of the collection in pages of 1000, and
// the before-images (entries of key, document, version and digest) in items of about 256 KB,
// as nested maps (what the adapter stores) or as one JSON string (what they would cost as text).
const readOnly = new Set([
  'get100-c10',
  'image-scan',
  'scan1000',
  'image-maps',
  'image-text',
  'image-tx',
  'image-bw10',
]);
modes.scan1000 = async () => {
  let start: Record<string, AttributeValue> | undefined;
  do {
    const page = await client.send(
      new ScanCommand({ TableName, Limit: 1000, ConsistentRead: true, ExclusiveStartKey: start }),
    );
    for (const item of page.Items ?? []) unmarshall(item);
    start = page.LastEvaluatedKey;
  } while (start);
};
// Rollback's reads of the current documents: BatchGetItem of 100 keys, ten in flight.
modes['get100-c10'] = () =>
  pool(chunks(docs, 100), 10, async (ch) => {
    let keys = ch.map((d) => ({ id: { S: String(d.id) } }));
    while (keys.length) {
      const o = await client.send(
        new BatchGetItemCommand({ RequestItems: { [TableName]: { Keys: keys, ConsistentRead: true } } }),
      );
      for (const item of o.Responses?.[TableName] ?? []) unmarshall(item);
      keys = (o.UnprocessedKeys?.[TableName]?.Keys as typeof keys | undefined) ?? [];
    }
  });
// Rollback's read of the images: a Scan of the images table in pages of 100, whole items.
modes['image-scan'] = async () => {
  let start: Record<string, AttributeValue> | undefined;
  do {
    const page = await client.send(
      new ScanCommand({ TableName: ImageTable, Limit: 100, ConsistentRead: true, ExclusiveStartKey: start }),
    );
    for (const item of page.Items ?? []) unmarshall(item);
    start = page.LastEvaluatedKey;
  } while (start);
};
const images = (asText: boolean) => {
  const items: Record<string, unknown>[] = [];
  let entries: unknown[] = [];
  let bytes = 0;
  for (const d of docs) {
    const entry = { key: d.id, doc: d, writtenVersion: 2, writtenDigest: 'x'.repeat(43) };
    entries.push(entry);
    bytes += JSON.stringify(entry).length;
    if (bytes > 256 * 1024) {
      items.push({ id: `img|${items.length}`, entries: asText ? JSON.stringify(entries) : entries });
      entries = [];
      bytes = 0;
    }
  }
  if (entries.length)
    items.push({ id: `img|${items.length}`, entries: asText ? JSON.stringify(entries) : entries });
  return items;
};
modes['image-maps'] = () => bw(images(false), 1, ImageTable, 2);
modes['image-text'] = () => bw(images(true), 1, ImageTable, 2);
// The images as inserts (no item at the key) in transactions of up to 11 items (3 MB), as the
// adapter wrote them when the ledger inserted a batch's chunks, against one BatchWriteItem a batch.
let imageRun = 0;
modes['image-tx'] = () => {
  const run = imageRun++;
  return pool(chunks(images(false), 11), 1, async (ch) => {
    await client.send(
      new TransactWriteItemsCommand({
        ClientRequestToken: randomUUID(),
        TransactItems: ch.map((d) => ({
          Put: {
            TableName: ImageTable,
            Item: marshall({ ...d, id: `${d.id}|${run}` }, { removeUndefinedValues: true }),
            ConditionExpression: 'attribute_not_exists(#id)',
            ExpressionAttributeNames: { '#id': 'id' },
          },
        })),
      }),
    );
  });
};
modes['image-bw10'] = () => bw(images(false), 2, ImageTable, 10);
for (const name of [TableName, ImageTable]) {
  try {
    await client.send(new DeleteTableCommand({ TableName: name }));
  } catch {}
  await client.send(
    new CreateTableCommand({
      TableName: name,
      AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
  await waitUntilTableExists({ client, maxWaitTime: 60 }, { TableName: name });
}
await bw(
  docs.map((d) => ({ ...d, schemaVersion: 1 })),
  16,
);
const wanted = (process.env.MODES ?? Object.keys(modes).join(',')).split(',');
for (const name of wanted) {
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const s0 = server();
  await modes[name]!();
  const wall = performance.now() - t0;
  const cpu = process.cpuUsage(c0);
  const s = server() - s0;
  if (!readOnly.has(name)) version++;
  retries = 0;
  delay = 0;
  console.log(
    `${name.padEnd(14)} wall ${(wall / 1000).toFixed(2)}s  cpu ${((cpu.user + cpu.system) / 1e6).toFixed(2)}s  server ${(s / 1000).toFixed(2)}s  retries ${retries} delay ${delay}ms load ${readFileSync('/proc/loadavg', 'utf8').split(' ')[0]}`,
  );
}
client.destroy();
