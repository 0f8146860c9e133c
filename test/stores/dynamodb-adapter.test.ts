/**
 * DynamoDB adapter behaviour the conformance suite cannot express: single-table mappings,
 * parallel-scan segments, batch limits and retries, error translation. Runs against DynamoDB Local:
 *   STEWARD_TEST_DYNAMODB_ENDPOINT=http://127.0.0.1:18000 node --import tsx --test test/stores/dynamodb-adapter.test.ts
 * A store that cannot be reached fails these tests; none is skipped. The retry helpers are pure
 * logic and are tested with a callback instead of a store.
 */
import { strict as assert } from 'node:assert';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { parseFilter } from '../../src/core/filter.js';
import type { JsonObject } from '../../src/core/json.js';
import { isStewardError } from '../../src/errors/steward-error.js';
import { backoffDelay, retryLeftovers, retryThrottled } from '../../src/stores/dynamodb/batch-retry.js';
import { openDynamoStore } from '../../src/stores/dynamodb/dynamodb-store.js';
import {
  type Collection,
  type CollectionSpec,
  type DocKey,
  keyId,
  type ScanOptions,
  type Store,
} from '../../src/stores/store.js';
import type { DynamoStoreConfig } from '../../src/stores/store-config.js';
import { readAll } from '../support/read-all.js';
import { selectedKinds } from '../support/test-stores.js';

const endpoint = process.env.STEWARD_TEST_DYNAMODB_ENDPOINT ?? 'http://127.0.0.1:18000';
const config: DynamoStoreConfig = {
  kind: 'dynamodb',
  region: 'us-east-1',
  endpoint,
  credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
};
const run = `steward_t${randomBytes(4).toString('hex')}_`;

const scanAll = (c: Collection, options: ScanOptions = {}) =>
  readAll(c, { ...options, limit: options.limit ?? 40 });

const ids = (docs: JsonObject[]) => docs.map((d) => String(d.id)).sort();
const instant = { sleep: async () => {}, random: () => 0.5 };

describe('batch retry helpers', () => {
  test('leftovers are retried until done, with growing delays', async () => {
    const delays: number[] = [];
    let calls = 0;
    const outcome = await retryLeftovers(
      [1, 2, 3, 4],
      async (pending) => {
        calls++;
        return calls <= 3 ? pending.slice(1) : [];
      },
      { maxAttempts: 8, baseDelayMs: 10, sleep: async (ms) => void delays.push(ms), random: () => 0.5 },
    );
    assert.deepEqual(outcome, { leftovers: [], attempts: 4 });
    assert.deepEqual(delays, [8, 15, 30]);
  });

  test('leftovers are returned, never dropped, when attempts run out', async () => {
    const seen: number[][] = [];
    const outcome = await retryLeftovers(
      ['a', 'b', 'c'],
      async (pending) => {
        seen.push([pending.length]);
        return pending.slice(0, 2);
      },
      { maxAttempts: 5, ...instant },
    );
    assert.deepEqual(outcome, { leftovers: ['a', 'b'], attempts: 5 });
    assert.equal(seen.length, 5);
  });

  test('throttled calls are retried; other errors and the last throttle are rethrown', async () => {
    const throttle = Object.assign(new Error('slow down'), { name: 'ThrottlingException' });
    const isThrottle = (e: unknown) => (e as Error).name === 'ThrottlingException';
    let calls = 0;
    const value = await retryThrottled(
      async () => {
        if (++calls < 3) throw throttle;
        return 'done';
      },
      isThrottle,
      { maxAttempts: 8, ...instant },
    );
    assert.equal(value, 'done');
    assert.equal(calls, 3);

    calls = 0;
    await assert.rejects(
      retryThrottled(
        async () => {
          calls++;
          throw throttle;
        },
        isThrottle,
        { maxAttempts: 4, ...instant },
      ),
      /slow down/,
    );
    assert.equal(calls, 4);

    calls = 0;
    await assert.rejects(
      retryThrottled(
        async () => {
          calls++;
          throw new Error('bad request');
        },
        isThrottle,
        { maxAttempts: 4, ...instant },
      ),
      /bad request/,
    );
    assert.equal(calls, 1);
  });

  test('backoff delays stay within half and all of a capped exponential', () => {
    for (let retry = 1; retry <= 12; retry++) {
      const cap = Math.min(1000, 20 * 2 ** (retry - 1));
      assert.equal(backoffDelay(retry, { baseDelayMs: 20, maxDelayMs: 1000, random: () => 0 }), cap / 2);
      assert.equal(backoffDelay(retry, { baseDelayMs: 20, maxDelayMs: 1000, random: () => 1 }), cap);
    }
  });
});

// Like the conformance suite, store tests run when STEWARD_TEST_STORES selects dynamodb (the default).
describe(
  'DynamoDB adapter',
  { skip: !selectedKinds().includes('dynamodb') && 'dynamodb not selected' },
  () => {
    let store: Store;
    const made = new Set<CollectionSpec>();
    const spec = (s: CollectionSpec) => {
      made.add(s);
      return s;
    };

    before(async () => {
      store = await openDynamoStore(config);
    });
    after(async () => {
      for (const s of made) await store.dropCollection({ name: s.dynamodb?.table ?? s.name, keyField: 'x' });
      const left = (await store.listCollections()).filter((n) => n.startsWith(run));
      await store.close();
      assert.deepEqual(left, [], 'every table the tests made is deleted');
    });

    const shared = `${run}shared`;
    const cases = spec({
      name: 'cases',
      keyField: 'id',
      dynamodb: {
        table: shared,
        partitionKey: 'PK',
        keyPrefix: 'CASE#',
        sortKey: { name: 'SK', value: 'META' },
        discriminator: { name: 'type', value: 'case' },
      },
    });
    const people = spec({
      name: 'people',
      keyField: 'id',
      dynamodb: {
        table: shared,
        partitionKey: 'PK',
        keyPrefix: 'PERSON#',
        sortKey: { name: 'SK', value: 'META' },
      },
    });

    test('two entities of one table never see each other', async () => {
      await store.ensureCollection(cases);
      await store.ensureCollection(people);
      const c = store.collection(cases);
      const p = store.collection(people);
      const caseDocs = Array.from({ length: 30 }, (_, i) => ({ id: `k${i}`, title: `case ${i}` }));
      const personDocs = Array.from({ length: 20 }, (_, i) => ({ id: `k${i}`, name: `person ${i}` }));
      assert.ok(
        (await c.write(caseDocs.map((doc) => ({ type: 'insert', doc })))).every((r) => r.status === 'ok'),
      );
      assert.ok(
        (await p.write(personDocs.map((doc) => ({ type: 'insert', doc })))).every((r) => r.status === 'ok'),
      );

      assert.deepEqual(ids(await scanAll(c)), ids(caseDocs));
      assert.deepEqual(ids(await scanAll(p)), ids(personDocs));
      assert.equal(await c.count(), 30);
      assert.equal(await p.count(), 20);
      assert.deepEqual((await c.getMany(['k3'])).get(keyId('k3')), { id: 'k3', title: 'case 3' });
      assert.deepEqual((await p.getMany(['k3'])).get(keyId('k3')), { id: 'k3', name: 'person 3' });

      const raw = await rawItem(shared, { PK: { S: 'CASE#k3' }, SK: { S: 'META' } });
      assert.deepEqual(raw, {
        PK: { S: 'CASE#k3' },
        SK: { S: 'META' },
        type: { S: 'case' },
        id: { S: 'k3' },
        title: { S: 'case 3' },
      });

      assert.deepEqual(
        (await c.write([{ type: 'delete', key: 'k0' }])).map((r) => r.status),
        ['ok'],
      );
      assert.equal((await p.getMany(['k0'])).size, 1, 'deleting a case leaves the person with the same key');

      await store.dropCollection(cases);
      assert.equal(await c.count(), 0);
      assert.equal(await p.count(), 20, 'dropping one entity keeps the other and the table');
    });

    test('a discriminator keeps entities sharing one key space apart', async () => {
      const table = `${run}disc`;
      const a = spec({
        name: 'a',
        keyField: 'id',
        dynamodb: { table, discriminator: { name: 'kind', value: 'a' } },
      });
      const b = {
        name: 'b',
        keyField: 'id',
        dynamodb: { table, discriminator: { name: 'kind', value: 'b' } },
      };
      await store.ensureCollection(a);
      const ca = store.collection(a);
      const cb = store.collection(b);
      assert.deepEqual(
        (await ca.write([{ type: 'insert', doc: { id: 'x', v: 1 } }])).map((r) => r.status),
        ['ok'],
      );
      const results = await cb.write([
        { type: 'insert', doc: { id: 'x', v: 2 } },
        { type: 'replace', doc: { id: 'x', v: 3 } },
        { type: 'replace', doc: { id: 'x', v: 3 }, upsert: true },
        { type: 'patch', key: 'x', set: { v: 4 } },
        { type: 'delete', key: 'x' },
      ]);
      assert.deepEqual(
        results.map((r) => r.status),
        ['exists', 'missing', 'exists', 'missing', 'missing'],
      );
      assert.equal((await cb.getMany(['x'])).size, 0);
      assert.deepEqual(await scanAll(cb), []);
      assert.deepEqual((await ca.getMany(['x'])).get(keyId('x')), { id: 'x', v: 1 });
    });

    test('a prefixed key field works in filters; number keys kept apart from the partition key round-trip', async () => {
      const prefixed = spec({
        name: 'prefixed',
        keyField: 'id',
        dynamodb: { table: `${run}prefixed`, keyPrefix: 'T#' },
      });
      await store.ensureCollection(prefixed);
      const c = store.collection(prefixed);
      await c.write(['a', 'b', 'c'].map((id) => ({ type: 'insert', doc: { id, n: id.charCodeAt(0) } })));
      assert.deepEqual(ids(await scanAll(c, { filter: parseFilter({ id: { $in: ['a', 'c', 'z'] } }) })), [
        'a',
        'c',
      ]);
      assert.equal(await c.count({ filter: parseFilter({ id: { $gt: 'a' } }) }), 2);
      const refused = await c.write([{ type: 'insert', doc: { id: 7 } }]);
      assert.equal(refused[0]?.status, 'failed');

      const orders = spec({
        name: 'orders',
        keyField: 'id',
        dynamodb: {
          table: shared,
          partitionKey: 'PK',
          keyPrefix: 'ORDER#',
          sortKey: { name: 'SK', value: 'META' },
        },
      });
      const o = store.collection(orders);
      assert.deepEqual(
        (await o.write([{ type: 'insert', doc: { id: 123, total: 9.5 } }])).map((r) => r.status),
        ['ok'],
      );
      const got = await o.getMany([123, '123']);
      assert.deepEqual([...got.entries()], [[keyId(123), { id: 123, total: 9.5 }]]);
    });

    test('N parallel-scan segments cover an entity exactly once, with and without a filter', async () => {
      const c = store.collection(people);
      const all = ids(await scanAll(c));
      assert.equal(all.length, 20);
      for (const total of [2, 5, 7]) {
        const seen: JsonObject[] = [];
        for (let index = 0; index < total; index++)
          seen.push(...(await scanAll(c, { segment: { index, total }, limit: 3 })));
        assert.deepEqual(ids(seen), all, `${total} segments`);
      }
      const filter = parseFilter({ name: { $gte: 'person 1', $lt: 'person 2' } });
      const seen: JsonObject[] = [];
      for (let index = 0; index < 4; index++)
        seen.push(...(await scanAll(c, { segment: { index, total: 4 }, filter })));
      assert.deepEqual(
        ids(seen),
        ids((await scanAll(c)).filter((d) => String(d.name) >= 'person 1' && String(d.name) < 'person 2')),
      );

      const first = await c.scan({ segment: { index: 0, total: 2 }, limit: 2 });
      assert.ok(first.next);
      await assert.rejects(c.scan({ segment: { index: 1, total: 2 }, after: first.next }), (e) =>
        isStewardError(e, 'input.invalid'),
      );
    });

    test('getMany fetches more than 100 keys, deduplicated, in several batches', async () => {
      const big = spec({ name: `${run}big`, keyField: 'id' });
      await store.ensureCollection(big);
      const c = store.collection(big);
      const docs = Array.from({ length: 230 }, (_, i) => ({ id: `d${i}`, payload: 'x'.repeat(100), i }));
      const results = await c.write(docs.map((doc) => ({ type: 'replace', doc, upsert: true })));
      assert.ok(results.every((r) => r.status === 'ok'));
      const keys: DocKey[] = [
        ...docs.map((d) => d.id),
        ...docs.slice(0, 50).map((d) => d.id),
        'none',
        5,
        { $oid: 'ab'.repeat(12) },
      ];
      const got = await c.getMany(keys);
      assert.equal(got.size, 230);
      assert.deepEqual(got.get(keyId('d229')), docs[229]);
      assert.equal(await c.count(), 230);
    });

    test('writes on one key run in order; nested patches DynamoDB cannot express in place still apply', async () => {
      const w = spec({ name: `${run}writes`, keyField: 'id' });
      await store.ensureCollection(w);
      const c = store.collection(w);
      const results = await c.write([
        { type: 'insert', doc: { id: 'a', label: 'text', keep: { x: 1, y: 2 } } },
        { type: 'patch', key: 'a', set: { 'label.deep.er': 1, 'fresh.one': true, 'keep.x': 5 } },
        { type: 'patch', key: 'a', set: { keep: { z: 0 } }, unset: ['keep.z'] },
        { type: 'patch', key: 'a', set: { id: 'a', n: null } },
        { type: 'patch', key: 'a', set: { id: 'b' } },
        { type: 'insert', doc: { id: 'gone' } },
        { type: 'delete', key: 'gone' },
        { type: 'delete', key: 'gone' },
      ]);
      assert.deepEqual(
        results.map((r) => r.status),
        ['ok', 'ok', 'ok', 'ok', 'failed', 'ok', 'ok', 'missing'],
      );
      const got = await c.getMany(['a']);
      assert.deepEqual(got.get(keyId('a')), {
        id: 'a',
        label: { deep: { er: 1 } },
        fresh: { one: true },
        keep: {},
        n: null,
      });
    });

    test('an entity copies into a whole-table sandbox without its mapping attributes', async () => {
      const sandbox = spec({ name: `${run}sandbox`, keyField: 'id' });
      const source = await scanAll(store.collection(people));
      const result = await store.copyCollection(people, sandbox);
      assert.equal(result.copied, source.length);
      const copied = await scanAll(store.collection(sandbox));
      assert.deepEqual(
        copied.sort((x, y) => String(x.id).localeCompare(String(y.id))),
        source.sort((x, y) => String(x.id).localeCompare(String(y.id))),
      );
      await assert.rejects(store.copyCollection(people, people), (e) => isStewardError(e, 'input.invalid'));
    });

    test('an entity whose table is missing is not-found under its own name; dropping it is a no-op', async () => {
      const ghost = { name: 'ghost', keyField: 'id', dynamodb: { table: `${run}nothere`, keyPrefix: 'G#' } };
      await assert.rejects(
        store.collection(ghost).scan(),
        (e) =>
          isStewardError(e, 'collection.not-found') &&
          e.message.includes('ghost') &&
          e.message.includes('nothere'),
      );
      await store.dropCollection(ghost);
    });

    test('an unreachable endpoint is store.unreachable, quickly, naming the endpoint', async () => {
      const down = await openDynamoStore({ ...config, endpoint: 'http://127.0.0.1:1' });
      const started = Date.now();
      await assert.rejects(
        down.ping(),
        (e) => isStewardError(e, 'store.unreachable') && e.message.includes('127.0.0.1:1'),
      );
      await assert.rejects(down.collection({ name: `${run}x`, keyField: 'id' }).scan(), (e) =>
        isStewardError(e, 'store.unreachable'),
      );
      assert.ok(Date.now() - started < 10_000, 'fails in seconds');
      await down.close();
    });

    test('refused credentials are store.auth; the live store pings', async () => {
      const info = await store.ping();
      assert.match(info.product, /DynamoDB/);
      const bad = await openDynamoStore({
        ...config,
        credentials: { accessKeyId: 'not_valid!', secretAccessKey: 'x' },
      });
      await assert.rejects(bad.ping(), (e) => isStewardError(e, 'store.auth'));
      await bad.close();
    });
  },
);

/** Reads an item's wire form directly, to check what the adapter stores. */
async function rawItem(table: string, key: Record<string, { S: string }>): Promise<unknown> {
  const client = new DynamoDBClient({ region: config.region, endpoint, credentials: config.credentials });
  try {
    return (await client.send(new GetItemCommand({ TableName: table, Key: key, ConsistentRead: true }))).Item;
  } finally {
    client.destroy();
  }
}
