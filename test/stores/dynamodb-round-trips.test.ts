/**
 * How many DynamoDB requests the adapter makes for a migration-sized batch, and how many it has in
 * flight at once (issue 17: read and write in the largest batches the API allows, in parallel within
 * the adapter's limit), with conditional writes still refusing a document changed since it was read.
 * Requests are counted by wrapping the SDK client's `send`; every request still goes to DynamoDB
 * Local. Runs against DynamoDB Local (STEWARD_TEST_DYNAMODB_ENDPOINT); none is skipped when selected.
 */
import { strict as assert } from 'node:assert';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { keyFraction } from '../../src/core/hash.js';
import type { JsonObject } from '../../src/core/json.js';
import { DynamoClient } from '../../src/stores/dynamodb/dynamodb-client.js';
import { openDynamoStore } from '../../src/stores/dynamodb/dynamodb-store.js';
import { type CollectionSpec, keyId, type Store, type WriteOp } from '../../src/stores/store.js';
import type { DynamoStoreConfig } from '../../src/stores/store-config.js';
import { selectedKinds } from '../support/test-stores.js';

const endpoint = process.env.STEWARD_TEST_DYNAMODB_ENDPOINT ?? 'http://127.0.0.1:18000';
const config: DynamoStoreConfig = {
  kind: 'dynamodb',
  region: 'us-east-1',
  endpoint,
  credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  tablePrefix: `steward_rt${randomBytes(4).toString('hex')}_`,
};

test('the SDK client carries no logger middleware (it copies every request and response for nothing)', () => {
  const client = new DynamoClient(config);
  try {
    const names = client.sdk.middlewareStack.identify();
    assert.ok(names.length > 5, 'the stack is listed');
    assert.deepEqual(
      names.filter((n) => n.startsWith('loggerMiddleware')),
      [],
    );
  } finally {
    client.destroy();
  }
});

/** Requests by command name, and the most in flight at once, while `work` runs. */
async function countRequests(work: () => Promise<void>): Promise<{
  calls: Map<string, number>;
  peak: number;
  inputs: { name: string; input: Record<string, unknown> }[];
}> {
  const proto = DynamoDBClient.prototype as unknown as { send: (...args: unknown[]) => Promise<unknown> };
  const original = proto.send;
  const calls = new Map<string, number>();
  const inputs: { name: string; input: Record<string, unknown> }[] = [];
  let inFlight = 0;
  let peak = 0;
  proto.send = async function (this: unknown, ...args: unknown[]) {
    const name = (args[0] as object).constructor.name.replace(/Command$/, '');
    // The table's key schema, read once per table and cached: not part of the batch's work.
    if (name === 'DescribeTable') return original.apply(this, args);
    calls.set(name, (calls.get(name) ?? 0) + 1);
    inputs.push({ name, input: (args[0] as { input: Record<string, unknown> }).input });
    peak = Math.max(peak, ++inFlight);
    try {
      return await original.apply(this, args);
    } finally {
      inFlight--;
    }
  };
  try {
    await work();
  } finally {
    proto.send = original;
  }
  return { calls, peak, inputs };
}

describe(
  'DynamoDB round trips of a migration batch',
  { skip: !selectedKinds().includes('dynamodb') && 'dynamodb not selected' },
  () => {
    let store: Store;
    const spec: CollectionSpec = { name: 'tasks', keyField: 'id' };
    const docs: JsonObject[] = Array.from({ length: 1000 }, (_, i) => ({
      id: `t${i}`,
      title: `task ${i}`,
      schemaVersion: 1,
    }));

    /** Conditional replaces of `docs[from..to)` from `version` to the next. */
    const replacesAt = (version: number, from: number, to: number): WriteOp[] =>
      docs.slice(from, to).map((doc) => ({
        type: 'replace',
        doc: { ...doc, schemaVersion: version + 1 },
        expect: { field: 'schemaVersion', value: version },
      }));

    before(async () => {
      store = await openDynamoStore(config);
      await store.ensureCollection(spec);
    });
    after(async () => {
      await store.dropCollection(spec);
      await store.close();
    });

    test('1,000 before-image-sized upserts, reads and conditional replaces each go in a single wave of batch calls', async () => {
      const tasks = store.collection(spec);
      const loaded = await countRequests(async () => {
        const results = await tasks.write(docs.map((doc) => ({ type: 'replace', doc, upsert: true })));
        assert.ok(results.every((r) => r.status === 'ok'));
      });
      assert.deepEqual(Object.fromEntries(loaded.calls), { BatchWriteItem: 40 });
      assert.equal(loaded.peak, 10, 'ten batch writes of 25 at once');

      const read = await countRequests(async () => {
        assert.equal((await tasks.getMany(docs.map((d) => d.id as string))).size, 1000);
      });
      assert.deepEqual(Object.fromEntries(read.calls), { BatchGetItem: 10 });
      assert.equal(read.peak, 10, 'all ten reads of 100 keys at once');

      const ops: WriteOp[] = docs.map((doc) => ({
        type: 'replace',
        doc: { ...doc, summary: doc.title as string, schemaVersion: 2 },
        expect: { field: 'schemaVersion', value: 1 },
      }));
      const written = await countRequests(async () => {
        const results = await tasks.write(ops);
        assert.ok(results.every((r) => r.status === 'ok'));
      });
      assert.deepEqual(Object.fromEntries(written.calls), { TransactWriteItems: 10 });
      // DynamoDB Local runs transactions one at a time, and ones sent together cost it more CPU.
      assert.equal(written.peak, 1, 'the ten transactions of 100 one after another on DynamoDB Local');
    });

    test('two write calls at once share one turn for their transactions on DynamoDB Local', async () => {
      const tasks = store.collection(spec);
      await tasks.write(docs.map((doc) => ({ type: 'replace', doc, upsert: true })));
      const both = await countRequests(async () => {
        const results = await Promise.all([
          tasks.write(replacesAt(1, 0, 300)),
          tasks.write(replacesAt(1, 300, 600)),
        ]);
        assert.ok(results.flat().every((r) => r.status === 'ok'));
      });
      assert.deepEqual(Object.fromEntries(both.calls), { TransactWriteItems: 6 });
      assert.equal(both.peak, 1);
    });

    test('a store whose transactionsInFlight is 2 has two transactions in flight on DynamoDB Local', async () => {
      const two = await openDynamoStore({ ...config, transactionsInFlight: 2 });
      try {
        const tasks = two.collection(spec);
        await tasks.write(docs.map((doc) => ({ type: 'replace', doc, upsert: true })));
        const written = await countRequests(async () => {
          const results = await tasks.write(replacesAt(1, 0, 600));
          assert.ok(results.every((r) => r.status === 'ok'));
        });
        assert.deepEqual(Object.fromEntries(written.calls), { TransactWriteItems: 6 });
        assert.equal(written.peak, 2, 'the setting, not the endpoint, says how many at once');
      } finally {
        await two.close();
      }
    });

    test('a document changed between read and write is still refused as a conflict, the rest written', async () => {
      const tasks = store.collection(spec);
      const at2 = docs.map((doc) => ({ ...doc, schemaVersion: 2 }));
      await tasks.write(at2.map((doc) => ({ type: 'replace', doc, upsert: true })));
      // Someone else moves t7 on to version 3 after steward read it at 2.
      const moved = await tasks.write([
        {
          type: 'replace',
          doc: { id: 't7', title: 'theirs', schemaVersion: 3 },
          expect: { field: 'schemaVersion', value: 2 },
        },
      ]);
      assert.deepEqual(moved, [{ status: 'ok' }]);
      const ops: WriteOp[] = at2.map((doc) => ({
        type: 'replace',
        doc: { ...doc, schemaVersion: 1 },
        expect: { field: 'schemaVersion', value: 2 },
      }));
      const results = await tasks.write(ops);
      assert.deepEqual(results[7], { status: 'conflict' });
      assert.equal(results.filter((r) => r.status === 'ok').length, 999);
      const now = await tasks.getMany(['t7', 't8']);
      assert.deepEqual(now.get(keyId('t7')), { id: 't7', title: 'theirs', schemaVersion: 3 });
      assert.equal(now.get(keyId('t8'))?.schemaVersion, 1);
    });

    test('a transaction of replaces states an equality without the attribute_exists it implies; missing and changed documents still told apart', async () => {
      const tasks = store.collection(spec);
      const at5 = docs.slice(0, 200).map((doc) => ({ ...doc, schemaVersion: 5 }));
      await tasks.write(at5.map((doc) => ({ type: 'replace', doc, upsert: true })));
      // Someone else moves t3 on to version 6, and deletes t150.
      await tasks.write([
        { type: 'replace', doc: { ...at5[3], schemaVersion: 6 }, upsert: true },
        { type: 'delete', key: 't150' },
      ]);
      const ops: WriteOp[] = at5.map((doc) => ({
        type: 'replace',
        doc: { ...doc, schemaVersion: 4 },
        expect: { field: 'schemaVersion', value: 5 },
      }));
      let results: Awaited<ReturnType<ReturnType<Store['collection']>['write']>> = [];
      const written = await countRequests(async () => {
        results = await tasks.write(ops);
      });
      assert.deepEqual(results[3], { status: 'conflict' });
      assert.deepEqual(results[150], { status: 'missing' });
      assert.equal(results.filter((r) => r.status === 'ok').length, 198);
      const puts = written.inputs
        .filter((i) => i.name === 'TransactWriteItems')
        .flatMap((i) => i.input.TransactItems as { Put: Record<string, unknown> }[])
        .map((item) => item.Put);
      assert.ok(puts.length >= 200, 'the replaces went in transactions');
      for (const put of puts) {
        assert.equal(put.ConditionExpression, '#n0 = :v0');
        assert.deepEqual(put.ExpressionAttributeNames, { '#n0': 'schemaVersion' });
        assert.deepEqual(put.ExpressionAttributeValues, { ':v0': { N: '5' } });
      }
      const now = await tasks.getMany(['t3', 't4', 't150']);
      assert.equal(now.get(keyId('t3'))?.schemaVersion, 6);
      assert.equal(now.get(keyId('t4'))?.schemaVersion, 4);
      assert.equal(now.has(keyId('t150')), false);

      // An expectation of null or absent says nothing about existence: attribute_exists stays.
      const nulls = await countRequests(async () => {
        const out = await tasks.write(
          at5.slice(10, 12).map((doc) => ({
            type: 'replace',
            doc: { ...doc, schemaVersion: 4, note: 'x' },
            expect: { field: 'note', value: null },
          })),
        );
        assert.deepEqual(out, [{ status: 'ok' }, { status: 'ok' }]);
      });
      const [tx] = nulls.inputs.filter((i) => i.name === 'TransactWriteItems');
      const first = (tx?.input.TransactItems as { Put: { ConditionExpression: string } }[])[0];
      assert.match(first?.Put.ConditionExpression ?? '', /^attribute_exists\(#n0\) AND /);
    });

    test('250 inserts, one on an existing key, go in TransactWriteItems of 100: that one `exists`, the rest written', async () => {
      const tasks = store.collection(spec);
      assert.deepEqual(await tasks.write([{ type: 'insert', doc: { id: 'n42', title: 'theirs' } }]), [
        { status: 'ok' },
      ]);
      const fresh: JsonObject[] = Array.from({ length: 250 }, (_, i) => ({ id: `n${i}`, title: `new ${i}` }));
      const ops: WriteOp[] = [
        ...fresh.map((doc): WriteOp => ({ type: 'insert', doc })),
        // Two inserts on one key stay in order on the one-at-a-time path: the second finds the first.
        { type: 'insert', doc: { id: 'twice', title: 'first' } },
        { type: 'insert', doc: { id: 'twice', title: 'second' } },
      ];
      let results: Awaited<ReturnType<typeof tasks.write>> = [];
      const counted = await countRequests(async () => {
        results = await tasks.write(ops);
      });
      const expected = ops.map((_, i) => ({ status: i === 42 || i === 251 ? 'exists' : 'ok' }));
      assert.deepEqual(results, expected);
      // ceil(250 / 100) transactions, one of them retried without the existing key, and the
      // same-key pair as two PutItems (one request per insert before: 252 PutItems).
      assert.deepEqual(Object.fromEntries(counted.calls), { TransactWriteItems: 4, PutItem: 2 });
      const now = await tasks.getMany(['n42', 'n41', 'n249', 'twice']);
      assert.deepEqual(now.get(keyId('n42')), { id: 'n42', title: 'theirs' });
      assert.deepEqual(now.get(keyId('n41')), { id: 'n41', title: 'new 41' });
      assert.deepEqual(now.get(keyId('n249')), { id: 'n249', title: 'new 249' });
      assert.deepEqual(now.get(keyId('twice')), { id: 'twice', title: 'first' });
    });

    test('N conditional patches go in transactions of 100 with the same results as one call each', async () => {
      const batched = store.collection(spec);
      const single: CollectionSpec = { name: 'patchsingle', keyField: 'id' };
      await store.ensureCollection(single);
      try {
        const alone = store.collection(single);
        const start: JsonObject[] = [
          ...Array.from({ length: 250 }, (_, i) => ({ id: `p${i}`, title: `patch ${i}`, revision: 1 })),
          { id: 'twice', title: 'twice', revision: 1 },
        ];
        const bump = (id: string, revision: number, title: string): WriteOp => ({
          type: 'patch',
          key: id,
          set: { title, revision: revision + 1 },
          expect: { field: 'revision', value: revision },
        });
        const ops: WriteOp[] = [
          ...start.slice(0, 250).map((doc) => bump(doc.id as string, 1, `patched ${doc.id}`)),
          // No such document: `missing`, in the third transaction.
          bump('ghost', 1, 'nobody'),
          // Two patches of one key stay in order, one UpdateItem each: the second sees the first.
          bump('twice', 1, 'first'),
          bump('twice', 2, 'second'),
        ];
        for (const c of [batched, alone]) {
          await c.write(start.map((doc) => ({ type: 'replace', doc, upsert: true })));
          // Someone else moves p42 on to revision 5: its patch, in the first transaction, is a conflict.
          await c.write([{ type: 'patch', key: 'p42', set: { revision: 5 } }]);
        }
        let results: Awaited<ReturnType<typeof batched.write>> = [];
        const counted = await countRequests(async () => {
          results = await batched.write(ops);
        });
        const expected = ops.map((_, i) => ({
          status: i === 42 ? 'conflict' : i === 250 ? 'missing' : 'ok',
        }));
        assert.deepEqual(results, expected);
        const oneEach: Awaited<ReturnType<typeof batched.write>> = [];
        for (const op of ops) oneEach.push(...(await alone.write([op])));
        assert.deepEqual(results, oneEach);
        // ceil(251 / 100) transactions; the two holding the conflict and the missing key are
        // cancelled and rerun one UpdateItem each (100 + 51), and the same-key pair as two
        // UpdateItems (one UpdateItem per patch before: 253).
        assert.deepEqual(Object.fromEntries(counted.calls), { TransactWriteItems: 3, UpdateItem: 153 });
        const keys = [...start.map((doc) => doc.id as string), 'ghost'];
        const now = await batched.getMany(keys);
        assert.deepEqual(now, await alone.getMany(keys));
        assert.deepEqual(now.get(keyId('p42')), { id: 'p42', title: 'patch 42', revision: 5 });
        assert.deepEqual(now.get(keyId('p150')), {
          id: 'p150',
          title: 'patched p150',
          revision: 2,
        });
        assert.deepEqual(now.get(keyId('twice')), {
          id: 'twice',
          title: 'second',
          revision: 3,
        });
        assert.equal(now.has(keyId('ghost')), false);

        // A path DynamoDB refuses in place (into a map that is not there) cancels the
        // transaction; rerun one at a time, that patch is rewritten as the single path does.
        const nested = await countRequests(async () => {
          const written = await batched.write([
            bump('p1', 2, 'nested'),
            { ...bump('p2', 2, 'nested'), set: { revision: 3, 'notes.seen': true } } as WriteOp,
          ]);
          assert.deepEqual(written, [{ status: 'ok' }, { status: 'ok' }]);
        });
        assert.equal(nested.calls.get('TransactWriteItems'), 1);
        assert.deepEqual((await batched.getMany(['p2'])).get(keyId('p2')), {
          id: 'p2',
          title: 'patched p2',
          revision: 3,
          notes: { seen: true },
        });

        // A lone patch stays one UpdateItem.
        const lone = await countRequests(async () => {
          assert.deepEqual(await batched.write([bump('p0', 2, 'again')]), [{ status: 'ok' }]);
        });
        assert.deepEqual(Object.fromEntries(lone.calls), { UpdateItem: 1 });
      } finally {
        await store.dropCollection(single);
      }
    });

    test('a lone conditional write goes as one PutItem, not a transaction of one, with the same outcomes', async () => {
      const tasks = store.collection(spec);
      const lone = async (op: WriteOp) => {
        let results: Awaited<ReturnType<typeof tasks.write>> = [];
        const counted = await countRequests(async () => {
          results = await tasks.write([op]);
        });
        assert.deepEqual(Object.fromEntries(counted.calls), { PutItem: 1 });
        return results;
      };
      assert.deepEqual(
        await lone({ type: 'insert', doc: { id: 'lone', title: 'first', schemaVersion: 1 } }),
        [{ status: 'ok' }],
      );
      assert.deepEqual(await lone({ type: 'insert', doc: { id: 'lone', title: 'again' } }), [
        { status: 'exists' },
      ]);
      const replace = (version: number): WriteOp => ({
        type: 'replace',
        doc: { id: 'lone', title: 'second', schemaVersion: version + 1 },
        expect: { field: 'schemaVersion', value: version },
      });
      assert.deepEqual(await lone(replace(7)), [{ status: 'conflict' }]);
      assert.deepEqual(await lone(replace(1)), [{ status: 'ok' }]);
      assert.deepEqual(await lone({ ...replace(1), doc: { id: 'nobody', schemaVersion: 2 } } as WriteOp), [
        { status: 'missing' },
      ]);
      assert.deepEqual((await tasks.getMany(['lone'])).get(keyId('lone')), {
        id: 'lone',
        title: 'second',
        schemaVersion: 2,
      });
    });

    test('a sample copy scans keys only in four parallel segments and fetches the sample with BatchGetItem; a whole copy scans whole items in segments', async () => {
      const source: CollectionSpec = { name: 'copysource', keyField: 'id' };
      const sandbox: CollectionSpec = { name: 'copysandbox', keyField: 'id' };
      await store.ensureCollection(source);
      try {
        const all: JsonObject[] = Array.from({ length: 2000 }, (_, i) => ({
          id: `c${i}`,
          n: i,
          tags: ['a', i],
        }));
        await store.collection(source).write(all.map((doc) => ({ type: 'replace', doc, upsert: true })));
        const expected = all.filter((doc) => keyFraction(keyId(doc.id as string), 's') < 0.1);
        const sample = await countRequests(async () => {
          const result = await store.copyCollection(source, sandbox, { fraction: 0.1, seed: 's' });
          assert.equal(result.copied, expected.length);
        });
        const scans = sample.inputs.filter((call) => call.name === 'Scan').map((call) => call.input);
        assert.deepEqual([...new Set(scans.map((scan) => `${scan.Segment}/${scan.TotalSegments}`))].sort(), [
          '0/4',
          '1/4',
          '2/4',
          '3/4',
        ]);
        assert.ok(
          scans.every((scan) => typeof scan.ProjectionExpression === 'string'),
          'keys-only scans',
        );
        assert.ok((sample.calls.get('BatchGetItem') ?? 0) >= 1, 'the sample fetched by key');
        assert.ok(sample.peak >= 4, `segments read at once (peak ${sample.peak})`);
        const byId = (docs: JsonObject[]) => docs.sort((x, y) => String(x.id).localeCompare(String(y.id)));
        const copied = [
          ...(await store.collection(sandbox).getMany(all.map((d) => d.id as string))).values(),
        ];
        assert.deepEqual(byId(copied), byId(expected));

        const whole = await countRequests(async () => {
          assert.equal((await store.copyCollection(source, sandbox)).copied, all.length);
        });
        const wholeScans = whole.inputs.filter((call) => call.name === 'Scan').map((call) => call.input);
        assert.equal(new Set(wholeScans.map((scan) => scan.Segment)).size, 4);
        assert.ok(
          wholeScans.every((scan) => scan.ProjectionExpression === undefined),
          'whole items',
        );
        assert.equal(whole.calls.get('BatchGetItem'), undefined);
        const wholeCopy = [
          ...(await store.collection(sandbox).getMany(all.map((d) => d.id as string))).values(),
        ];
        assert.deepEqual(byId(wholeCopy), byId(all));
      } finally {
        await store.dropCollection(sandbox);
        await store.dropCollection(source);
      }
    });
  },
);
