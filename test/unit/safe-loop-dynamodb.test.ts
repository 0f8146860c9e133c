/**
 * The hand-written safe migration on DynamoDB (bench/baselines/dynamodb-safe-loop.ts) must do all
 * the work apply does, as SQLite's (safe-loop-baseline.test.ts): every document migrated, sums
 * equal to a census of the table, an image and a checkpoint a page, a resume after a failure, a
 * conflict refused, and a rollback back to the original items. Against DynamoDB Local at
 * STEWARD_TEST_DYNAMODB_ENDPOINT (`npm test` starts it); a run that selects DynamoDB and cannot
 * reach it fails.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { after, describe, test } from 'node:test';
import {
  type AttributeValue,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  ScanCommand,
} from '@aws-sdk/client-dynamodb';
import type { Baseline, SafeLoopJob } from '../../bench/baselines/baseline.js';
import { baselineName } from '../../bench/baselines/baseline.js';
import { openDynamoBaseline } from '../../bench/baselines/dynamodb-baseline.js';
import { createBenchContext } from '../../bench/bench-context.js';
import { migrated } from '../../bench/migration-workload.js';
import { handWrittenCheck, safeLoopBaseline } from '../../bench/safe-loop-baseline.js';
import { taskBatches } from '../../bench/task-workloads.js';
import type { JsonObject } from '../../src/core/json.js';
import type { DynamoStoreConfig } from '../../src/stores/store-config.js';
import { selectedKinds, testStoreConfig } from '../support/test-stores.js';

const docs = 250;
const options = { docs, batch: 100, seed: 'safe-loop' };
const opened: Baseline[] = [];
const clients: DynamoDBClient[] = [];

after(async () => {
  for (const baseline of opened) {
    await baseline.drop();
    await baseline.close();
  }
  for (const client of clients) client.destroy();
});

function config(): DynamoStoreConfig {
  return testStoreConfig('dynamodb', randomBytes(4).toString('hex')) as DynamoStoreConfig;
}

function rawClient(c: DynamoStoreConfig): DynamoDBClient {
  const client = new DynamoDBClient({ region: c.region, endpoint: c.endpoint, credentials: c.credentials });
  clients.push(client);
  return client;
}

async function loaded(): Promise<{
  baseline: Baseline;
  client: DynamoDBClient;
  table: string;
  config: DynamoStoreConfig;
}> {
  const c = config();
  const baseline = await openDynamoBaseline(c);
  opened.push(baseline);
  await baseline.reset();
  for (const batch of taskBatches(options)) await baseline.write(batch);
  return { baseline, client: rawClient(c), table: `${c.tablePrefix}${baselineName}`, config: c };
}

/** Every item of the table as stored, by key. */
async function tableItems(
  client: DynamoDBClient,
  table: string,
): Promise<Map<string, Record<string, AttributeValue>>> {
  const out = new Map<string, Record<string, AttributeValue>>();
  let start: Record<string, AttributeValue> | undefined;
  do {
    const page = await client.send(new ScanCommand({ TableName: table, ExclusiveStartKey: start }));
    for (const item of page.Items ?? []) out.set(item.id!.S!, item);
    start = page.LastEvaluatedKey;
  } while (start);
  return out;
}

/** The side table's items of one page (0: the checkpoints). */
async function sideItems(client: DynamoDBClient, table: string, page: number) {
  const out = await client.send(
    new QueryCommand({
      TableName: `${table}_safe`,
      KeyConditionExpression: 'p = :p',
      ExpressionAttributeValues: { ':p': { N: String(page) } },
    }),
  );
  return out.Items ?? [];
}

async function applyCheckpoint(
  client: DynamoDBClient,
  table: string,
): Promise<{ docs: number; pages: number }> {
  const item = (await sideItems(client, table, 0)).find((i) => i.c?.N === '0');
  assert.ok(item, 'an apply checkpoint');
  return JSON.parse(item.v!.S!);
}

/** Another writer's edit: the document's title changed, and its version set to `version`. */
async function edit(client: DynamoDBClient, table: string, id: string, version: number): Promise<void> {
  const { Item: item } = await client.send(new GetItemCommand({ TableName: table, Key: { id: { S: id } } }));
  assert.ok(item, `${id} is in the table`);
  await client.send(
    new PutItemCommand({
      TableName: table,
      Item: { ...item, title: { S: 'edited' }, schemaVersion: { N: String(version) } },
    }),
  );
}

const job = (overrides: Partial<SafeLoopJob> = {}): SafeLoopJob => ({
  transform: migrated,
  check: handWrittenCheck(),
  pageSize: options.batch,
  poll: () => undefined,
  ...overrides,
});

/** A transform that remembers the order the Scan gave the documents in. */
function seen(order: string[]) {
  return (doc: JsonObject): JsonObject => {
    order.push(doc.id as string);
    return migrated(doc);
  };
}

/** {@link edit} from another process, waited for: a write made while the caller's code runs. */
function editElsewhere(c: DynamoStoreConfig, table: string, id: string, version: number): void {
  const script = `
    import { DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
    const [endpoint, table, id, version] = process.argv.slice(1);
    const client = new DynamoDBClient({ region: 'us-east-1', endpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
    const { Item } = await client.send(new GetItemCommand({ TableName: table, Key: { id: { S: id } } }));
    await client.send(new PutItemCommand({ TableName: table, Item: { ...Item, title: { S: 'edited' }, schemaVersion: { N: version } } }));
    client.destroy();`;
  execFileSync(
    process.execPath,
    ['--input-type=module', '-e', script, c.endpoint!, table, id, String(version)],
    {
      stdio: ['ignore', 'inherit', 'inherit'],
    },
  );
}

describe(
  'the hand-written safe migration on DynamoDB (bench baseline-safe-loop)',
  { skip: !selectedKinds().includes('dynamodb') && 'dynamodb not selected' },
  () => {
    test('migrates every document, an image and a checkpoint a page, sums equal to a census of the table', async () => {
      const { baseline, client, table } = await loaded();
      const original = await baseline.digestCensus!();
      assert.deepEqual(original.versions, { '1': docs });
      const result = await baseline.safeUpdateLoop!(job());
      const end = await baseline.digestCensus!();
      assert.deepEqual(result, { docs, pages: 3, beforeSum: original.sum, afterSum: end.sum });
      assert.deepEqual(end.versions, { '2': docs });
      assert.notEqual(original.sum, end.sum);
      let entries = 0;
      for (const page of [1, 2, 3]) {
        const chunks = await sideItems(client, table, page);
        assert.ok(chunks.length >= 1, `page ${page} has its image`);
        for (const chunk of chunks) entries += (JSON.parse(chunk.h!.S!) as unknown[]).length / 4;
      }
      assert.equal(entries, docs);
      assert.deepEqual(await sideItems(client, table, 4), []);
      assert.equal((await applyCheckpoint(client, table)).docs, docs);
      // A rerun after a finished apply does nothing and says the same.
      assert.deepEqual(await baseline.safeUpdateLoop!(job()), result);
    });

    test('a failed check stops it with the page unwritten; a rerun resumes after the last committed page', async () => {
      const { baseline, client, table } = await loaded();
      const original = await baseline.digestCensus!();
      let n = 0;
      const failing = job({ check: () => (++n === 150 ? 'planted failure' : undefined) });
      await assert.rejects(baseline.safeUpdateLoop!(failing), /planted failure/);
      assert.equal((await applyCheckpoint(client, table)).docs, 100);
      assert.deepEqual(await sideItems(client, table, 2), [], 'no image before the check passed');
      assert.deepEqual((await baseline.digestCensus!()).versions, { '1': docs - 100, '2': 100 });
      const result = await baseline.safeUpdateLoop!(job());
      const end = await baseline.digestCensus!();
      assert.deepEqual(result, { docs, pages: 3, beforeSum: original.sum, afterSum: end.sum });
      assert.deepEqual(end.versions, { '2': docs });
    });

    test('refuses to overwrite a document another writer moved to another version between its read and its write', async () => {
      const { baseline, client, table, config: c } = await loaded();
      let edited = '';
      let n = 0;
      // The other writer acts while the page is in JavaScript, after its read, before its writes:
      // a child process, waited for, so the edit has landed when the page's writes go.
      const racing = job({
        transform: (doc) => {
          if (++n === 150) {
            edited = doc.id as string;
            editElsewhere(c, table, edited, 3);
          }
          return migrated(doc);
        },
      });
      const error = await baseline.safeUpdateLoop!(racing).then(
        () => assert.fail('the conflict was not refused'),
        (e: Error) => e,
      );
      assert.match(error.message, new RegExp(`${edited} changed since it was read \\(conflict\\)`));
      // No checkpoint covers page 2; the other writer kept its write; the refused document's
      // transaction wrote nothing of its own.
      assert.equal((await applyCheckpoint(client, table)).docs, 100);
      const items = await tableItems(client, table);
      assert.equal(items.get(edited)?.title?.S, 'edited');
      assert.equal(items.get(edited)?.schemaVersion?.N, '3');
      assert.equal(items.get(edited)?.summary, undefined);
    });

    test('a page cut short between its transactions is finished from its image on the rerun, and rolls back exactly', async () => {
      const { baseline, client, table, config: c } = await loaded();
      const before = await tableItems(client, table);
      // Pages of 125: transactions of 100 and 25. The 240th document read (page 2's second
      // transaction) is moved to version 3 by another writer: page 2's first transaction commits,
      // its second is refused, no checkpoint covers page 2.
      let n = 0;
      let edited = '';
      const racing = job({
        pageSize: 125,
        transform: (doc) => {
          if (++n === 240) {
            edited = doc.id as string;
            editElsewhere(c, table, edited, 3);
          }
          return migrated(doc);
        },
      });
      await assert.rejects(baseline.safeUpdateLoop!(racing), /changed since it was read \(conflict\)/);
      assert.equal((await applyCheckpoint(client, table)).docs, 125);
      assert.deepEqual((await baseline.digestCensus!()).versions, { '1': 24, '2': 225, '3': 1 });
      const edits = await tableItems(client, table);
      // The rerun keeps the image's before texts of the 100 written, and migrates the rest.
      const result = await baseline.safeUpdateLoop!(job({ pageSize: 125 }));
      assert.equal(result.docs, docs);
      assert.deepEqual((await baseline.digestCensus!()).versions, { '2': docs });
      const rolledBack = await baseline.safeRollback!(() => undefined);
      assert.equal(rolledBack.exact, true);
      // Back to the original, but for the other writer's document, back to its edit.
      assert.deepEqual(await tableItems(client, table), new Map([...before, [edited, edits.get(edited)!]]));
    });

    test('rolls back to the original items, and its census says exact', async () => {
      const { baseline, client, table } = await loaded();
      const before = await tableItems(client, table);
      const original = await baseline.digestCensus!();
      await baseline.safeUpdateLoop!(job());
      const rolledBack = await baseline.safeRollback!(() => undefined);
      assert.deepEqual(rolledBack, { docs, census: original, exact: true });
      assert.deepEqual(await tableItems(client, table), before);
    });

    test('rollback refuses a document changed since apply wrote it, and restores nothing of its page', async () => {
      const { baseline, client, table } = await loaded();
      const order: string[] = [];
      await baseline.safeUpdateLoop!(job({ transform: seen(order) }));
      await edit(client, table, order[119]!, 2);
      await assert.rejects(
        baseline.safeRollback!(() => undefined),
        new RegExp(`${order[119]} changed since apply`),
      );
      // The first page is restored, the second (holding the edited document) not at all.
      assert.deepEqual((await baseline.digestCensus!()).versions, { '1': 100, '2': docs - 100 });
    });

    test('the bench phase runs it both ways on the baseline table and checks the end state', async () => {
      const c = config();
      const context = createBenchContext(
        { ...options, scenario: 'migrate-apply', store: 'dynamodb', rounds: 1, keep: false, mongoBatch: 50 },
        c,
      );
      const up = await safeLoopBaseline(context, 'up');
      const down = await safeLoopBaseline(context, 'down');
      assert.deepEqual(
        [up?.label, up?.docs, down?.label, down?.docs],
        ['baseline-safe-loop', docs, 'baseline-safe-loop', docs],
      );
      await context.close();
    });
  },
);
