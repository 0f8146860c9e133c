/**
 * DynamoDB's `tablePrefix` keeps two steward setups apart in one account: two configs with
 * different prefixes generate the example, write to a single-table entity (an explicitly named
 * `dynamodb.table`), keep a ledger (`refs scan`) and make a dry run's sandbox, all in one DynamoDB
 * Local, and neither touches a table of the other. Runs the built CLI as a user does; the table
 * lists and contents are read with the AWS SDK directly, not through steward.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, describe, test } from 'node:test';
import { DeleteTableCommand, DynamoDBClient, ListTablesCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import { loadConfig } from '../../src/config/load-config.js';
import { sandboxSpec } from '../../src/migrations/dry-run/sandbox.js';
import { openStore } from '../../src/stores/open-store.js';
import { projectWithConfig, runSteward } from '../support/run-steward.js';
import { selectedKinds } from '../support/test-stores.js';

const run = randomBytes(3).toString('hex');
const setups = [
  { prefix: `px${run}a_`, docs: 300 },
  { prefix: `px${run}b_`, docs: 500 },
] as const;
/** Tables every setup must have, named without its prefix. */
const expected = [
  'cases',
  'tasks',
  'subjects',
  'app',
  'steward_audit',
  'steward_incidents',
  'steward_sandbox_cases',
];

function configFor(endpoint: string, prefix: string): string {
  return `{
    stores: { main: { kind: 'dynamodb', region: 'us-east-1', endpoint: '${endpoint}',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, tablePrefix: '${prefix}' } },
    collections: {
      cases: {}, tasks: {}, subjects: {},
      notes: { dynamodb: { table: 'app', partitionKey: 'pk', keyPrefix: 'NOTE#' } },
    },
    references: { 'tasks.caseId': { target: 'cases' } },
  }`;
}

describe('DynamoDB tablePrefix', { skip: !selectedKinds().includes('dynamodb') }, () => {
  const endpoint = process.env.STEWARD_TEST_DYNAMODB_ENDPOINT ?? '';
  const sdk = new DynamoDBClient({
    region: 'us-east-1',
    endpoint,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const allTables = async (): Promise<string[]> => {
    const names: string[] = [];
    let start: string | undefined;
    do {
      const out = await sdk.send(new ListTablesCommand({ ExclusiveStartTableName: start }));
      names.push(...(out.TableNames ?? []));
      start = out.LastEvaluatedTableName;
    } while (start);
    return names;
  };
  const items = async (table: string) => {
    const out: Record<string, unknown>[] = [];
    let start: Record<string, never> | undefined;
    do {
      const page = await sdk.send(new ScanCommand({ TableName: table, ExclusiveStartKey: start }));
      out.push(...(page.Items ?? []));
      start = page.LastEvaluatedKey as never;
    } while (start);
    return out;
  };

  after(async () => {
    for (const table of await allTables())
      if (table.startsWith(`px${run}`)) await sdk.send(new DeleteTableCommand({ TableName: table }));
    sdk.destroy();
  });

  test('two prefixes in one DynamoDB Local never touch each other’s tables', async () => {
    assert.ok(endpoint, 'STEWARD_TEST_DYNAMODB_ENDPOINT is set by npm test');
    const before = new Set(await allTables());
    const counts: number[] = [];
    for (const [n, setup] of setups.entries()) {
      const dir = projectWithConfig(configFor(endpoint, setup.prefix));
      const steward = (...args: string[]) =>
        runSteward(args, { cwd: dir, env: { STEWARD_ACTOR: `setup-${n}` }, timeoutMs: 300_000 });
      const generated = await steward(
        'example',
        'generate',
        '--docs',
        String(setup.docs),
        '--orphans',
        '4',
        '--json',
      );
      assert.equal(generated.code, 0, generated.stderr);
      counts.push((JSON.parse(generated.stdout) as { counts: { cases: number } }).counts.cases);
      const scan = await steward('refs', 'scan', 'tasks.caseId');
      assert.ok(scan.code === 0 || scan.code === 1, scan.stderr);
      // A write to the single-table entity and a dry run's sandbox, through the resolved config as
      // the CLI opens it.
      const config = await loadConfig({ cwd: dir });
      const store = await openStore(config.stores.get('main')!);
      try {
        await store.ensureCollection(config.collections.get('notes')!.spec);
        const notes = store.collection(config.collections.get('notes')!.spec);
        const [written] = await notes.write([{ type: 'insert', doc: { id: `note-${n}`, setup: n } }]);
        assert.equal(written?.status, 'ok');
        const cases = config.collections.get('cases')!.spec;
        await store.copyCollection(cases, sandboxSpec(config.ledger.prefix, 'cases', cases));
        const listed = await store.listCollections();
        for (const name of expected) assert.ok(listed.includes(name), `setup ${n} lists ${name}: ${listed}`);
        assert.ok(
          !listed.some((name) => name.startsWith('px')),
          `setup ${n} lists only its own tables, without their prefix: ${listed}`,
        );
      } finally {
        await store.close();
      }
      const count = await steward('count', 'cases');
      assert.equal(count.code, 0, count.stderr);
      assert.equal(count.stdout.trim(), String(counts[n]), `setup ${n} counts its own cases`);
    }
    assert.notEqual(counts[0], counts[1], 'the two setups hold different data');

    const made = (await allTables()).filter((t) => !before.has(t));
    for (const [n, setup] of setups.entries()) {
      const mine = made.filter((t) => t.startsWith(setup.prefix));
      for (const name of expected)
        assert.ok(mine.includes(`${setup.prefix}${name}`), `${setup.prefix}${name}`);
      assert.equal(
        (await items(`${setup.prefix}cases`)).length,
        counts[n],
        `${setup.prefix}cases holds setup ${n}'s cases`,
      );
      assert.equal((await items(`${setup.prefix}steward_sandbox_cases`)).length, counts[n]);
      const notes = await items(`${setup.prefix}app`);
      assert.deepEqual(
        notes.map((item) => item.pk),
        [{ S: `NOTE#note-${n}` }],
        `${setup.prefix}app holds setup ${n}'s note only`,
      );
      const actors = new Set(
        (await items(`${setup.prefix}steward_audit`)).map((item) => item.actor).filter(Boolean),
      );
      assert.deepEqual(
        [...actors],
        [{ S: `setup-${n}` }],
        `${setup.prefix}steward_audit holds setup ${n}'s records only`,
      );
    }
    for (const name of expected)
      assert.ok(!made.includes(name), `no unprefixed "${name}" table was made: ${made.join(', ')}`);
  });
});
