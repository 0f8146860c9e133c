/**
 * A single-table design made with the AWS SDK, as an existing application holds it (items with
 * `PK`/`SK` only, no separate key attribute), mapped into steward collections with key prefixes:
 * a filter on the steward key is translated to the stored partition key, for `find` and `count`.
 * Runs against DynamoDB Local; never skipped.
 */
import { strict as assert } from 'node:assert';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { DeleteTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { parseFilter } from '../../src/core/filter.js';
import type { JsonObject } from '../../src/core/json.js';
import { openDynamoStore } from '../../src/stores/dynamodb/dynamodb-store.js';
import type { CollectionSpec, Store } from '../../src/stores/store.js';
import type { DynamoStoreConfig } from '../../src/stores/store-config.js';
import { readAll } from '../support/read-all.js';
import { createSingleTable, putItems } from '../support/single-table.js';
import { selectedKinds } from '../support/test-stores.js';

const table = `steward_st${randomBytes(4).toString('hex')}`;

if (selectedKinds().includes('dynamodb')) {
  const endpoint = process.env.STEWARD_TEST_DYNAMODB_ENDPOINT;
  if (!endpoint) throw new Error('STEWARD_TEST_DYNAMODB_ENDPOINT is not set: run the suite with "npm test"');
  const config: DynamoStoreConfig = {
    kind: 'dynamodb',
    region: 'us-east-1',
    endpoint,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  };
  const sdk = new DynamoDBClient({ region: config.region, endpoint, credentials: config.credentials });
  const orders: CollectionSpec = {
    name: 'orders',
    keyField: 'id',
    dynamodb: { table, partitionKey: 'PK', keyPrefix: 'ORDER#', sortKey: { name: 'SK', value: 'ORDER' } },
  };
  const customers: CollectionSpec = {
    name: 'customers',
    keyField: 'id',
    dynamodb: {
      table,
      partitionKey: 'PK',
      keyPrefix: 'CUSTOMER#',
      sortKey: { name: 'SK', value: 'PROFILE' },
    },
  };

  describe('DynamoDB single-table: filters on the steward key of a prefixed entity', () => {
    let store: Store;
    before(async () => {
      await createSingleTable(sdk, table, endpoint);
      const items = [
        ...Array.from({ length: 12 }, (_, i) => ({
          PK: { S: `ORDER#o${i + 1}` },
          SK: { S: 'ORDER' },
          total: { N: String(10 * (i + 1)) },
          customerId: { S: `c${(i % 3) + 1}` },
        })),
        // A line item in the order's partition: same PK, another SK, not an order.
        { PK: { S: 'ORDER#o10' }, SK: { S: 'LINE#1' }, sku: { S: 'p1' } },
        ...[1, 2, 3].map((i) => ({
          PK: { S: `CUSTOMER#c${i}` },
          SK: { S: 'PROFILE' },
          name: { S: `C${i}` },
        })),
      ];
      await putItems(sdk, table, items);
      store = await openDynamoStore(config);
    });
    after(async () => {
      await store?.close();
      await sdk.send(new DeleteTableCommand({ TableName: table }));
      sdk.destroy();
    });

    const find = (spec: CollectionSpec, filter: unknown) =>
      readAll(store.collection(spec), { filter: parseFilter(filter), limit: 5 });
    const ids = (docs: JsonObject[]) => docs.map((d) => d.id).sort();

    test('find and count by the key find the item stored under its prefixed partition key', async () => {
      const found = await find(orders, { id: 'o10' });
      assert.deepEqual(found, [{ id: 'o10', total: 100, customerId: 'c1' }]);
      assert.equal(await store.collection(orders).count({ filter: parseFilter({ id: 'o10' }) }), 1);
      assert.deepEqual(ids(await find(orders, { id: { $in: ['o2', 'o11', 'c1'] } })), ['o11', 'o2']);
      assert.equal(await store.collection(orders).count({ filter: parseFilter({ id: { $gte: 'o5' } }) }), 5);
      assert.deepEqual(ids(await find(customers, { id: 'c2' })), ['c2']);
    });

    test('the key with other conditions, another entity’s key and a key of the wrong type match only what they should', async () => {
      assert.equal((await find(orders, { id: 'o10', total: 100 })).length, 1);
      assert.equal((await find(orders, { id: 'o10', total: 99 })).length, 0);
      assert.equal((await find(orders, { id: 'c1' })).length, 0);
      assert.equal((await find(customers, { id: 'o10' })).length, 0);
      assert.equal((await find(orders, { id: 10 })).length, 0);
      assert.equal(await store.collection(orders).count({ filter: parseFilter({ id: 'nope' }) }), 0);
    });

    test('a key filter read in segments finds its item exactly once', async () => {
      const seen: JsonObject[] = [];
      for (let index = 0; index < 3; index++)
        seen.push(
          ...(await readAll(store.collection(orders), {
            filter: parseFilter({ id: 'o7' }),
            segment: { index, total: 3 },
          })),
        );
      assert.deepEqual(ids(seen), ['o7']);
    });
  });
}
