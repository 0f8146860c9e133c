/**
 * The adapter's protocol keeps an item's own `__proto__` attribute (the SDK's deserializer would
 * reset it), and reads every other response with the SDK's own deserializer, no wrapper between
 * its recursive calls (issue 17: checking every value of every response cost about 4% of the
 * orphan scan's CPU). Runs against DynamoDB Local (STEWARD_TEST_DYNAMODB_ENDPOINT); never skipped
 * when selected.
 */
import { strict as assert } from 'node:assert';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import {
  CreateTableCommand,
  DeleteTableCommand,
  GetItemCommand,
  PutItemCommand,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import { DynamoClient } from '../../src/stores/dynamodb/dynamodb-client.js';
import { selectedKinds } from '../support/test-stores.js';

describe(
  'DynamoDB responses with and without a __proto__ attribute',
  { skip: !selectedKinds().includes('dynamodb') && 'dynamodb not selected' },
  () => {
    const TableName = `steward_ps${randomBytes(4).toString('hex')}`;
    let client: DynamoClient;
    let deserializer: object;

    before(async () => {
      const endpoint = process.env.STEWARD_TEST_DYNAMODB_ENDPOINT;
      if (!endpoint)
        throw new Error('STEWARD_TEST_DYNAMODB_ENDPOINT is not set: run the suite with "npm test"');
      client = new DynamoClient({
        kind: 'dynamodb',
        region: 'us-east-1',
        endpoint,
        credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      });
      const protocol = (client.sdk.config as unknown as { protocol: { deserializer: object } }).protocol;
      deserializer = protocol.deserializer;
      await client.sdk.send(
        new CreateTableCommand({
          TableName,
          AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
          KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
          BillingMode: 'PAY_PER_REQUEST',
        }),
      );
      await waitUntilTableExists({ client: client.sdk, maxWaitTime: 30 }, { TableName });
      const withProto = JSON.parse('{"id":{"S":"p"},"__proto__":{"M":{"y":{"N":"2"}}}}');
      await client.sdk.send(new PutItemCommand({ TableName, Item: withProto }));
      await client.sdk.send(new PutItemCommand({ TableName, Item: { id: { S: 'plain' }, x: { N: '1' } } }));
    });
    after(async () => {
      await client?.sdk.send(new DeleteTableCommand({ TableName })).catch(() => undefined);
      client?.destroy();
    });

    const read = async (id: string) =>
      (await client.sdk.send(new GetItemCommand({ TableName, Key: { id: { S: id } }, ConsistentRead: true })))
        .Item;

    test('an item without one is read by the SDK deserializer as it is', async () => {
      assert.deepEqual(await read('plain'), { id: { S: 'plain' }, x: { N: '1' } });
      assert.equal(Object.hasOwn(deserializer, '_read'), false, 'no wrapper left on the deserializer');
    });

    test('an own __proto__ attribute keeps its value, and the wrapper is gone afterwards', async () => {
      const item = await read('p');
      assert.ok(item && Object.hasOwn(item, '__proto__'));
      assert.deepEqual(Object.getOwnPropertyDescriptor(item, '__proto__')?.value, { M: { y: { N: '2' } } });
      assert.equal(Object.getPrototypeOf(item), Object.prototype);
      assert.equal(Object.hasOwn(deserializer, '_read'), false);
      const [a, b] = await Promise.all([read('p'), read('plain')]);
      assert.ok(a && Object.hasOwn(a, '__proto__'));
      assert.deepEqual(b, { id: { S: 'plain' }, x: { N: '1' } });
    });
  },
);
