/**
 * Issue 14's done-when, as a new team runs it with the built CLI: in a fresh folder, `steward
 * init --store mongodb --store dynamodb` (FerretDB and DynamoDB Local from the test env; with
 * STEWARD_TEST_STORES=sqlite, one SQLite store), `migrate create` for a collection in each store,
 * a minimal edit of each migration, then plan -> dry-run -> apply --to -> rollback in
 * `development` with no approval at all, and in `production` refused without approvals and
 * applied with a signed one. Apply states the policy it judged by, in text and JSON.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { loadConfig } from '../../src/config/load-config.js';
import { openStore } from '../../src/stores/open-store.js';
import type { StoreKind } from '../../src/stores/store.js';
import { runSteward } from '../support/run-steward.js';
import { selectedKinds } from '../support/test-stores.js';

/** mongodb and dynamodb when selected (the done-when), else the SQLite store alone. */
const kinds: StoreKind[] = selectedKinds().filter((k) => k !== 'sqlite');
const storeKinds: StoreKind[] = kinds.length > 0 ? kinds : ['sqlite'];
const unique = randomBytes(4).toString('hex');

function testEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { STEWARD_ACTOR: 'scaffold-test' };
  if (storeKinds.includes('mongodb')) {
    env.STEWARD_MONGODB_URI = required('STEWARD_TEST_MONGODB_URI');
    env.STEWARD_MONGODB_DATABASE = `steward_scaffold_${unique}`;
  }
  if (storeKinds.includes('dynamodb')) {
    env.AWS_ENDPOINT_URL_DYNAMODB = required('STEWARD_TEST_DYNAMODB_ENDPOINT');
    env.AWS_ACCESS_KEY_ID = 'local';
    env.AWS_SECRET_ACCESS_KEY = 'local';
    env.AWS_REGION = 'us-east-1';
  }
  return env;
}

function required(name: string): string {
  const value = process.env[name];
  if (!value)
    throw new Error(`${name} is not set: run the suite with "npm test", which starts the test servers`);
  return value;
}

/** The store name `init` gives each kind: `main` alone, the kind's name among several. */
const storeName = (kind: StoreKind) => (storeKinds.length === 1 ? 'main' : kind);
/** The default key field of a collection on that store (`_id` on MongoDB). */
const keyOf = (store: string) => (store === 'mongodb' ? '_id' : 'id');
/** One collection per store: `accounts` in the first, `orders` in the second (or the same one). */
const accountsStore = storeName(storeKinds[0]!);
const ordersStore = storeName(storeKinds.at(-1)!);

const contract = (collection: string, key: string) => ({
  collection,
  owner: 'billing',
  versions: [1, 2].map((version) => ({
    version,
    schema: {
      type: 'object',
      properties: {
        [key]: { type: 'string' },
        name: { type: 'string' },
        schemaVersion: { type: 'integer' },
        ...(version === 2 ? { tier: { type: 'string' } } : {}),
      },
      required: [key, 'name'],
    },
  })),
});

describe('steward init, migrate create, and a migration per environment', () => {
  const dir = mkdtempSync(join(tmpdir(), 'steward-scaffold-'));
  const env = testEnv();
  // The AWS SDK reads its endpoint and credentials from the process's environment: the seeding
  // and cleanup done in this process need them as the CLI's children get them.
  Object.assign(process.env, env);
  const steward = (...args: string[]) => runSteward(args, { cwd: dir, env, timeoutMs: 120_000 });
  const ids: { accounts: string; orders: string } = { accounts: '', orders: '' };

  before(async () => {
    const init = await steward('init', ...storeKinds.flatMap((k) => ['--store', k]));
    assert.equal(init.code, 0, init.stdout + init.stderr);
    for (const folder of ['contracts', 'migrations']) assert.ok(existsSync(join(dir, folder)), folder);
    // The minimal edits a team makes: its collections, and an approver for production.
    const file = join(dir, 'steward.config.ts');
    const prefix = storeKinds.includes('dynamodb') ? `steward_${unique}_` : '';
    const text = readFileSync(file, 'utf8')
      .replace(
        '  collections: {\n',
        `  collections: {\n    accounts: { store: '${accountsStore}', name: '${prefix}accounts' },\n` +
          `    orders: { store: '${ordersStore}', name: '${prefix}orders' },\n`,
      )
      .replace('  // approvers: { alice:', '  approvers: { alice:');
    writeFileSync(file, text);
    mkdirSync(join(dir, 'keys'));
    assert.equal((await steward('approvals', 'keygen', '--out', 'keys/alice')).code, 0);
    for (const [name, store] of [
      ['accounts', accountsStore],
      ['orders', ordersStore],
    ] as const)
      writeFileSync(
        join(dir, `contracts/${name}.contract.json`),
        JSON.stringify(contract(name, keyOf(store))),
      );
    await seed(dir, env);
  });

  after(async () => {
    const config = await loadConfig({ cwd: dir, env: { ...process.env, ...env } });
    for (const [name, store] of config.stores) {
      const opened = await openStore(store);
      try {
        for (const c of config.collections.values())
          if (c.store === name) await opened.dropCollection(c.spec);
      } finally {
        await opened.close();
      }
    }
  });

  test('migrate create writes a typed migration with the contract versions, and never overwrites', async () => {
    for (const collection of ['accounts', 'orders'] as const) {
      const created = await steward(
        'migrate',
        'create',
        `${collection}-tier`,
        '--collection',
        collection,
        '--json',
      );
      assert.equal(created.code, 0, created.stdout + created.stderr);
      const result = JSON.parse(created.stdout) as {
        id: string;
        file: string;
        fromVersion: number;
        targetVersion: number;
      };
      assert.deepEqual([result.fromVersion, result.targetVersion], [1, 2]);
      const source = readFileSync(result.file, 'utf8');
      assert.match(source, /defineMigration\(\{/);
      assert.match(source, /up: \(doc\) =>/);
      assert.match(source, /down: \(doc\) =>/);
      assert.match(source, /kind: 'conforms'/);
      // The minimal edit: up adds a tier, down takes it away.
      writeFileSync(
        result.file,
        source
          .replace(
            '// TODO: return the document in its v2 shape.\n    return { ...doc };',
            "return { ...doc, tier: 'basic' };",
          )
          .replace(
            '// TODO: return the document in its v1 shape.\n    return { ...doc };',
            'const { tier: _tier, ...rest } = doc;\n    return rest;',
          ),
      );
      ids[collection] = result.id;
      // Ids sort in creation order, so the second one is created a second later at least.
      await new Promise((r) => setTimeout(r, 1100));
    }
    const again = await steward('migrate', 'create', 'accounts-tier', '--collection', 'accounts');
    assert.equal(again.code, 2);
    assert.match(
      again.stderr,
      /already exists with the name "accounts-tier": steward migrate create never overwrites/,
    );
    assert.equal(readdirSync(join(dir, 'migrations')).length, 2);
  });

  test('development: plan, dry-run, apply --to and rollback with no approval', async () => {
    const dev = (...args: string[]) => steward(...args, '--env', 'development');
    for (const id of [ids.accounts, ids.orders]) {
      const plan = await dev('migrate', 'plan', '--to', id, '--json');
      assert.equal(plan.code, 0, plan.stdout + plan.stderr);
      assert.deepEqual(
        (JSON.parse(plan.stdout) as { migrations: { id: string }[] }).migrations.map((m) => m.id),
        [id],
      );
      const dryRun = await dev('migrate', 'dry-run', '--to', id);
      assert.equal(dryRun.code, 0, dryRun.stdout + dryRun.stderr);
      const apply = await dev('migrate', 'apply', '--to', id);
      assert.equal(apply.code, 0, apply.stdout + apply.stderr);
      assert.match(apply.stdout, /1 migration\(s\) applied/);
      assert.match(
        apply.stdout,
        /policy: development \(environments\.development\.approvalPolicies\.migrations\): no approval needed/,
      );
      assert.match(apply.stdout, /approvals: none needed by the policy/);
    }
    const status = JSON.parse((await dev('migrate', 'status', '--json')).stdout) as { applied: unknown[] };
    assert.equal(status.applied.length, 2);
    // One rollback changes one store too: the last migration (orders), then the one before it.
    for (let i = 0; i < 2; i++) {
      const rollback = await dev('migrate', 'rollback');
      assert.equal(rollback.code, 0, rollback.stdout + rollback.stderr);
    }
    assert.equal((await dev('count', 'accounts', '--where', '{"schemaVersion":2}')).stdout.trim(), '0');
    assert.equal((await dev('count', 'orders', '--where', '{"schemaVersion":2}')).stdout.trim(), '0');
  });

  test('production: apply is refused without an approval and goes with a signed one', async () => {
    const prod = (...args: string[]) => steward(...args, '--env', 'production');
    const id = ids.accounts;
    const planHash = (
      JSON.parse((await prod('migrate', 'plan', '--to', id, '--json')).stdout) as { hash: string }
    ).hash;
    assert.equal((await prod('migrate', 'dry-run', '--to', id)).code, 0);
    const status = await prod('migrate', 'status');
    assert.match(
      status.stdout,
      /^policy: production \(approvalPolicies\.migrations\): 1 approval\(s\) needed$/m,
    );
    const refused = await prod('migrate', 'apply', '--to', id, '--json');
    assert.equal(refused.code, 2, refused.stdout + refused.stderr);
    const report = JSON.parse(refused.stdout) as {
      status: string;
      policy: { environment: string; source: string; required: number };
    };
    assert.equal(report.status, 'refused');
    assert.deepEqual(report.policy, {
      environment: 'production',
      source: 'approvalPolicies.migrations',
      required: 1,
      includeOwner: false,
    });
    const approve = await prod(
      ...[
        'migrate',
        'approve',
        planHash,
        '--to',
        id,
        '--key',
        'keys/alice.key.pem',
        '--approver',
        'alice',
        '--role',
        'owner',
      ],
    );
    assert.equal(approve.code, 0, approve.stdout + approve.stderr);
    const apply = await prod('migrate', 'apply', '--to', id);
    assert.equal(apply.code, 0, apply.stdout + apply.stderr);
    assert.match(apply.stdout, /policy: production \(approvalPolicies\.migrations\): 1 approval\(s\) needed/);
    assert.match(apply.stdout, /approvals: alice \(dry-run report [0-9a-f]{12}\), used up by this run/);
    assert.equal((await prod('count', 'accounts', '--where', '{"schemaVersion":2}')).stdout.trim(), '20');
    const rollback = await prod('migrate', 'rollback');
    assert.equal(rollback.code, 0, rollback.stdout + rollback.stderr);
  });

  test('an environment the config does not declare, and --to naming no migration, are exit 2', async () => {
    const staging = await steward('migrate', 'status', '--env', 'staging');
    assert.equal(staging.code, 2);
    assert.match(
      staging.stderr,
      /environments: has no environment "staging" .*declared: development, production/,
    );
    const to = await steward('migrate', 'apply', '--to', 'no-such-migration', '--env', 'development');
    assert.equal(to.code, 2);
    assert.match(to.stderr, /--to no-such-migration: no migration has that id \(known: /);
  });
});

/** 20 version-1 documents in each collection, written through the store seam. */
async function seed(dir: string, env: NodeJS.ProcessEnv): Promise<void> {
  const config = await loadConfig({ cwd: dir, env: { ...process.env, ...env } });
  for (const name of ['accounts', 'orders']) {
    const collection = config.collections.get(name)!;
    const store = await openStore(config.stores.get(collection.store)!);
    try {
      await store.ensureCollection(collection.spec);
      const docs = Array.from({ length: 20 }, (_, i) => ({
        [collection.spec.keyField]: `${name}-${String(i).padStart(3, '0')}`,
        name: `${name} ${i}`,
        schemaVersion: 1,
      }));
      const results = await store
        .collection(collection.spec)
        .write(docs.map((doc) => ({ type: 'insert', doc })));
      assert.ok(results.every((r) => r.status === 'ok'));
    } finally {
      await store.close();
    }
  }
}
