import {
  type AttributeDefinition,
  CreateTableCommand,
  DeleteTableCommand,
  DescribeTableCommand,
  type KeySchemaElement,
  type TableDescription,
} from '@aws-sdk/client-dynamodb';
import { StewardError } from '../../errors/steward-error.js';
import type { DynamoClient } from './dynamodb-client.js';
import { errorName } from './dynamodb-errors.js';
import type { EntityMapping } from './table-mapping.js';

/** How long table creation or deletion may take before steward gives up waiting. */
const waitLimitMs = 5 * 60_000;

/**
 * Creates the table a collection lives in, on-demand (PAY_PER_REQUEST), and waits until it is
 * ACTIVE. The partition key is a string (S) unless `partitionType` says N: steward cannot know
 * the key type from a spec alone, and string keys are the common case; a table made by other
 * means keeps its own key types, which the adapter reads with DescribeTable. A shared table gets
 * a string sort key when the entity mapping has one. Idempotent: an existing table is left as it
 * is (DescribeTable first, so repeated calls cost no CreateTable), and a table still being
 * deleted is waited out and created again. Returns the ACTIVE table's description, so the caller
 * need not ask for it again (issue 17: every ledger collection a scan opened was described twice).
 */
export async function createTable(
  client: DynamoClient,
  m: EntityMapping,
  partitionType: 'S' | 'N' = 'S',
): Promise<TableDescription | undefined> {
  const started = Date.now();
  for (let delay = 100; ; delay = Math.min(delay * 2, 2000)) {
    const table = await describeTable(client, m.table);
    const status = table && (table.TableStatus ?? 'ACTIVE');
    if (status === 'ACTIVE') return table;
    if (status === undefined) await sendCreate(client, m, partitionType);
    else await pause(started, delay, m.table, 'become active');
  }
}

async function sendCreate(client: DynamoClient, m: EntityMapping, partitionType: 'S' | 'N'): Promise<void> {
  const keySchema: KeySchemaElement[] = [{ AttributeName: m.partitionKey, KeyType: 'HASH' }];
  const attributes: AttributeDefinition[] = [{ AttributeName: m.partitionKey, AttributeType: partitionType }];
  if (m.sortKey) {
    keySchema.push({ AttributeName: m.sortKey.name, KeyType: 'RANGE' });
    attributes.push({ AttributeName: m.sortKey.name, AttributeType: 'S' });
  }
  const input = { TableName: m.table, KeySchema: keySchema, AttributeDefinitions: attributes };
  try {
    await client.send((sdk) =>
      sdk.send(new CreateTableCommand({ ...input, BillingMode: 'PAY_PER_REQUEST' })),
    );
  } catch (error) {
    // ResourceInUse: someone else is creating it, or it is being deleted; the caller waits.
    if (errorName(error) !== 'ResourceInUseException') throw client.translate(error, 'CreateTable', m.table);
  }
}

/** Deletes a table and waits until it is gone; no error when it does not exist. */
export async function deleteTable(client: DynamoClient, table: string): Promise<void> {
  await waitFor(client, table, (status) => status !== 'CREATING' && status !== 'UPDATING', 'settle');
  try {
    await client.send((sdk) => sdk.send(new DeleteTableCommand({ TableName: table })));
  } catch (error) {
    const name = errorName(error);
    if (name !== 'ResourceNotFoundException' && name !== 'ResourceInUseException') {
      throw client.translate(error, 'DeleteTable', table);
    }
  }
  await waitFor(client, table, (status) => status === undefined, 'be deleted');
}

/** Polls DescribeTable until the status (undefined: no such table) satisfies `done`. */
async function waitFor(
  client: DynamoClient,
  table: string,
  done: (status: string | undefined) => boolean,
  what: string,
): Promise<void> {
  const started = Date.now();
  for (let delay = 100; ; delay = Math.min(delay * 2, 2000)) {
    const description = await describeTable(client, table);
    if (done(description && (description.TableStatus ?? 'ACTIVE'))) return;
    await pause(started, delay, table, what);
  }
}

/** Sleeps before the next poll, or gives up when the table took too long. */
async function pause(started: number, delay: number, table: string, what: string): Promise<void> {
  if (Date.now() - started > waitLimitMs) {
    throw new StewardError('store.failed', `DynamoDB table "${table}" did not ${what} within 5 minutes`, {
      table,
    });
  }
  await new Promise((resolve) => setTimeout(resolve, delay));
}

/** The table's description (an empty one when DynamoDB sends none), undefined when there is no such table. */
async function describeTable(client: DynamoClient, table: string): Promise<TableDescription | undefined> {
  try {
    const out = await client.send((sdk) => sdk.send(new DescribeTableCommand({ TableName: table })));
    return out.Table ?? {};
  } catch (error) {
    if (errorName(error) === 'ResourceNotFoundException') return undefined;
    throw client.translate(error, 'DescribeTable', table);
  }
}
