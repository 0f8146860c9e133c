import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { env } from '../../src/config/define-config.js';
import { resolveConfig } from '../../src/config/resolve-config.js';
import { isStewardError } from '../../src/errors/steward-error.js';

const resolve = (raw: unknown, vars: NodeJS.ProcessEnv = {}) =>
  resolveConfig(raw, { file: '/p/steward.config.ts', baseDir: '/p', env: vars });

function problemsOf(raw: unknown, vars: NodeJS.ProcessEnv = {}): string[] {
  try {
    resolve(raw, vars);
  } catch (e) {
    if (isStewardError(e, 'config.invalid')) {
      return (e.details.problems as { path: string; message: string }[]).map(
        (p) => `${p.path}: ${p.message}`,
      );
    }
    throw e;
  }
  return [];
}

describe('config resolution', () => {
  test('applies defaults: relative SQLite paths, key fields by store, the ledger store', () => {
    const config = resolve(
      {
        stores: {
          main: { kind: 'sqlite', file: 'data/app.sqlite' },
          docs: { kind: 'mongodb', uri: env('MONGO_URI'), database: 'app' },
        },
        collections: { cases: { store: 'main' }, profiles: { store: 'docs' } },
      },
      { MONGO_URI: 'mongodb://127.0.0.1:27017' },
    );
    assert.deepEqual(config.stores.get('main'), { kind: 'sqlite', name: 'main', file: '/p/data/app.sqlite' });
    assert.deepEqual(config.stores.get('docs'), {
      kind: 'mongodb',
      name: 'docs',
      uri: 'mongodb://127.0.0.1:27017',
      database: 'app',
    });
    assert.equal(config.collections.get('cases')?.spec.keyField, 'id');
    assert.equal(config.collections.get('profiles')?.spec.keyField, '_id');
    assert.deepEqual(config.ledger, { store: 'main', prefix: 'steward_' });
  });

  test('reports every problem at once, each with its path', () => {
    const problems = problemsOf({
      stores: {
        a: { kind: 'postgres' },
        b: { kind: 'mongodb', uri: 'http://x', database: 1 },
        c: { kind: 'dynamodb', region: env('AWS_REGION_UNSET') },
      },
      collections: { cases: { store: 'nope' }, tasks: 'x' },
      ledger: { store: 'zzz' },
      extra: true,
    });
    assert.deepEqual(problems.sort(), [
      'collections.cases.store: names no store in "stores" (known: a, b, c)',
      'collections.tasks: must be an object such as { store: "main", key: "id" }',
      'extra: is not a known setting (expected stores, collections, references, integrity, ledger, contracts, approvers, approvalPolicies, environments, signals, migrations, derived)',
      'ledger.store: names no store in "stores" (known: a, b, c)',
      'stores.a.kind: must be one of sqlite, mongodb, dynamodb (got "postgres")',
      'stores.b.database: must be a string (got number)',
      'stores.b.uri: must start with mongodb:// or mongodb+srv://',
      'stores.c.region: reads environment variable AWS_REGION_UNSET, which is not set',
    ]);
  });

  test('a store that does not resolve is its only problem: what names its collections waits', () => {
    const problems = problemsOf({
      stores: {
        main: { kind: 'sqlite', file: 'a.sqlite' },
        docs: { kind: 'mongodb', uri: env('STEWARD_UNSET_URI'), database: 'app' },
      },
      collections: { orders: { store: 'docs' }, customers: { store: 'docs' }, audit: { store: 'main' } },
      references: {
        'orders.customerId': { target: 'customers' },
        'audit.orderId': { target: 'orders' },
        'audit.userId': { target: 'users' },
      },
      derived: {
        'customers.orderCount': {
          kind: 'counter',
          source: { collection: 'orders', key: 'customerId' },
          transform: { count: true },
        },
      },
    });
    assert.deepEqual(problems.sort(), [
      'references.audit.userId.target: must name a collection in "collections" (known: audit)',
      'stores.docs.uri: reads environment variable STEWARD_UNSET_URI, which is not set',
    ]);
  });

  test('an environment value falls back to its default', () => {
    const config = resolve({
      stores: { main: { kind: 'dynamodb', region: env('AWS_REGION', 'eu-west-1') } },
    });
    assert.deepEqual(config.stores.get('main'), { kind: 'dynamodb', name: 'main', region: 'eu-west-1' });
  });

  test('store timeouts and the DynamoDB tablePrefix are read and checked, every problem at once', () => {
    const config = resolve({
      stores: {
        lite: { kind: 'sqlite', file: 'a.sqlite', busyTimeoutMs: 2500 },
        docs: {
          kind: 'mongodb',
          uri: 'mongodb://h',
          database: 'app',
          connectTimeoutMs: 700,
          requestTimeoutMs: 9000,
        },
        dyn: {
          kind: 'dynamodb',
          region: 'eu-west-1',
          tablePrefix: 'chaos_',
          connectTimeoutMs: 400,
          requestTimeoutMs: 1500,
        },
      },
    });
    assert.deepEqual(config.stores.get('lite'), {
      kind: 'sqlite',
      name: 'lite',
      file: '/p/a.sqlite',
      busyTimeoutMs: 2500,
    });
    assert.deepEqual(config.stores.get('docs'), {
      kind: 'mongodb',
      name: 'docs',
      uri: 'mongodb://h',
      database: 'app',
      connectTimeoutMs: 700,
      requestTimeoutMs: 9000,
    });
    assert.deepEqual(config.stores.get('dyn'), {
      kind: 'dynamodb',
      name: 'dyn',
      region: 'eu-west-1',
      tablePrefix: 'chaos_',
      connectTimeoutMs: 400,
      requestTimeoutMs: 1500,
    });
    const problems = problemsOf({
      stores: {
        lite: { kind: 'sqlite', file: 'a.sqlite', busyTimeoutMs: -1, requestTimeoutMs: 5 },
        docs: {
          kind: 'mongodb',
          uri: 'mongodb://h',
          database: 'app',
          connectTimeoutMs: 1.5,
          requestTimeoutMS: 9,
        },
        dyn: { kind: 'dynamodb', region: 'r', tablePrefix: 'bad prefix!', requestTimeoutMs: 3_600_001 },
      },
    });
    assert.deepEqual(problems.sort(), [
      'stores.docs.connectTimeoutMs: must be a whole number of milliseconds from 1 to 3600000 (got 1.5)',
      'stores.docs.requestTimeoutMS: is not a setting of a mongodb store (expected kind, uri, database, connectTimeoutMs, requestTimeoutMs)',
      'stores.dyn.requestTimeoutMs: must be a whole number of milliseconds from 1 to 3600000 (got 3600001)',
      'stores.dyn.tablePrefix: "bad prefix!" cannot start a DynamoDB table name: use at most 200 letters, digits, "_", "-" or "."',
      'stores.lite.busyTimeoutMs: must be a whole number of milliseconds from 1 to 3600000 (got -1)',
      'stores.lite.requestTimeoutMs: is not a setting of a sqlite store (expected kind, file, busyTimeoutMs)',
    ]);
  });

  test('the DynamoDB transactionsInFlight setting is read, and a bad one named with its range', () => {
    const dyn = (transactionsInFlight: unknown) => ({
      stores: {
        dyn: { kind: 'dynamodb', region: 'r', endpoint: 'http://127.0.0.1:8000', transactionsInFlight },
      },
    });
    assert.deepEqual(resolve(dyn(2)).stores.get('dyn'), {
      kind: 'dynamodb',
      name: 'dyn',
      region: 'r',
      endpoint: 'http://127.0.0.1:8000',
      transactionsInFlight: 2,
    });
    assert.equal(
      (resolve(dyn(25)).stores.get('dyn') as { transactionsInFlight?: number }).transactionsInFlight,
      25,
    );
    for (const [bad, shown] of [
      [0, '0'],
      [26, '26'],
      [1.5, '1.5'],
      ['4', '"4"'],
    ] as const) {
      assert.deepEqual(problemsOf(dyn(bad)), [
        `stores.dyn.transactionsInFlight: must be a whole number of transactions from 1 to 25 (got ${shown})`,
      ]);
    }
    assert.deepEqual(
      problemsOf({ stores: { lite: { kind: 'sqlite', file: 'a.sqlite', transactionsInFlight: 2 } } }),
      [
        'stores.lite.transactionsInFlight: is not a setting of a sqlite store (expected kind, file, busyTimeoutMs)',
      ],
    );
  });

  test('a config that is not an object is refused', () => {
    assert.deepEqual(problemsOf(42), [
      '(root): the config must export an object made with defineConfig({...})',
    ]);
  });

  test('resolves references with their defaults and names every problem', () => {
    const stores = { main: { kind: 'sqlite', file: 'a.sqlite' } };
    const collections = { profiles: {}, accounts: {}, archive: {} };
    const config = resolve({
      stores,
      collections,
      references: {
        'profiles.accountId': { target: 'accounts', owner: 'profile-service', revalidateAfter: '7d' },
        'profiles.backupAccountId': { target: 'accounts', onMissing: 'rehydrate', rehydrateFrom: 'archive' },
      },
    });
    assert.deepEqual(config.references.get('profiles.accountId'), {
      name: 'profiles.accountId',
      collection: 'profiles',
      field: 'accountId',
      target: 'accounts',
      owner: 'profile-service',
      onMissing: 'flag',
      required: false,
      revalidateAfterMs: 7 * 86_400_000,
    });
    assert.equal(config.references.get('profiles.backupAccountId')?.rehydrateFrom, 'archive');
    const problems = problemsOf({
      stores,
      collections,
      references: {
        accountId: { target: 'accounts' },
        'orders.customerId': { target: 'customers', onMissing: 'explode', revalidateAfter: 'weekly' },
        'profiles.accountId': { target: 'accounts', onMissing: 'rehydrate' },
      },
    });
    assert.deepEqual(problems, [
      "references.accountId: a reference is keyed '<collection>.<field>', such as 'profiles.accountId'",
      'references.orders.customerId: names collection "orders", which is not in "collections" (known: profiles, accounts, archive)',
      'references.orders.customerId.target: must name a collection in "collections" (known: profiles, accounts, archive)',
      'references.orders.customerId.onMissing: must be one of flag, tombstone, nullify, rehydrate, delete-dependent',
      'references.orders.customerId.revalidateAfter: must be a duration such as "90s", "15m", "12h" or "7d"',
      'references.profiles.accountId.rehydrateFrom: is required with onMissing "rehydrate": a collection in "collections"',
    ]);
  });
});
