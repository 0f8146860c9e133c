/**
 * How often the DynamoDB adapter describes a table (issue 17: a refs scan opens the ledger's
 * `incidents` and `scans` collections, and each was described twice, once to see that the table
 * exists and once more for its key schema, the cache of which the first had dropped). Requests are
 * counted by wrapping the SDK client's `send`; every request still goes to DynamoDB Local.
 */
import { strict as assert } from 'node:assert';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { openDynamoStore } from '../../src/stores/dynamodb/dynamodb-store.js';
import type { CollectionSpec, Store } from '../../src/stores/store.js';
import { selectedKinds } from '../support/test-stores.js';

/** DescribeTable requests while `work` runs. */
async function countDescribes(work: () => Promise<void>): Promise<number> {
  const proto = DynamoDBClient.prototype as unknown as { send: (...args: unknown[]) => Promise<unknown> };
  const original = proto.send;
  let describes = 0;
  proto.send = function (this: unknown, ...args: unknown[]) {
    if ((args[0] as object).constructor.name === 'DescribeTableCommand') describes++;
    return original.apply(this, args);
  };
  try {
    await work();
  } finally {
    proto.send = original;
  }
  return describes;
}

describe(
  'DynamoDB table descriptions',
  { skip: !selectedKinds().includes('dynamodb') && 'dynamodb not selected' },
  () => {
    let store: Store;
    const spec: CollectionSpec = { name: 'described', keyField: 'id' };

    before(async () => {
      store = await openDynamoStore({
        kind: 'dynamodb',
        region: 'us-east-1',
        endpoint: process.env.STEWARD_TEST_DYNAMODB_ENDPOINT ?? 'http://127.0.0.1:18000',
        credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
        tablePrefix: `steward_td${randomBytes(4).toString('hex')}_`,
      });
      await store.ensureCollection(spec);
      await store.collection(spec).write([{ type: 'insert', doc: { id: 'a', n: 1 } }]);
    });
    after(async () => {
      await store?.dropCollection(spec);
      await store?.close();
    });

    test('ensuring an existing collection and then reading it describes the table once', async () => {
      let docs = 0;
      const describes = await countDescribes(async () => {
        await store.ensureCollection(spec);
        docs = (await store.collection(spec).getMany(['a', 'b'])).size;
      });
      assert.equal(docs, 1);
      assert.equal(describes, 1, `${describes} DescribeTable requests`);
    });

    test('a collection created by ensureCollection is read and written with the key schema it was created with', async () => {
      const fresh: CollectionSpec = { name: 'described_fresh', keyField: 'id' };
      try {
        const describes = await countDescribes(async () => {
          await store.ensureCollection(fresh);
          await store.collection(fresh).write([{ type: 'insert', doc: { id: 'x', n: 2 } }]);
        });
        assert.deepEqual([...(await store.collection(fresh).getMany(['x'])).values()], [{ id: 'x', n: 2 }]);
        assert.ok(describes >= 2, 'described before creating and until active');
      } finally {
        await store.dropCollection(fresh);
      }
    });
  },
);
