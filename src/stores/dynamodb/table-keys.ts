import { DescribeTableCommand, type TableDescription } from '@aws-sdk/client-dynamodb';
import { isStewardError, StewardError } from '../../errors/steward-error.js';
import type { DynamoClient } from './dynamodb-client.js';
import type { EntityMapping } from './table-mapping.js';

/** A key attribute of a table and its DynamoDB type (S string, N number, B binary). */
export interface KeyAttribute {
  readonly name: string;
  readonly type: 'S' | 'N' | 'B';
}

/** A table's primary key as DescribeTable reports it. */
export interface TableKeys {
  readonly partition: KeyAttribute;
  readonly sort: KeyAttribute | undefined;
}

/** Reads the primary key out of a table description. */
export function tableKeys(table: TableDescription): TableKeys {
  const attribute = (role: 'HASH' | 'RANGE'): KeyAttribute | undefined => {
    const name = table.KeySchema?.find((k) => k.KeyType === role)?.AttributeName;
    if (name === undefined) return undefined;
    const type = table.AttributeDefinitions?.find((a) => a.AttributeName === name)?.AttributeType ?? 'S';
    return { name, type };
  };
  const partition = attribute('HASH');
  if (!partition)
    throw new StewardError('store.failed', `table "${table.TableName}" reports no partition key`);
  return { partition, sort: attribute('RANGE') };
}

/**
 * Table descriptions, with the key schema cached per table: a key's attribute type is decided by
 * the table (DescribeTable), not guessed from documents, and it never changes for a table's life.
 * The cache is dropped when steward creates or deletes the table.
 */
export class TableCatalog {
  private readonly keys = new Map<string, Promise<TableKeys>>();

  constructor(private readonly client: DynamoClient) {}

  /** A fresh description of the table; `collection.not-found` when it does not exist. */
  async describe(table: string): Promise<TableDescription> {
    const out = await this.client.call('DescribeTable', table, (sdk) =>
      sdk.send(new DescribeTableCommand({ TableName: table })),
    );
    if (!out.Table)
      throw new StewardError('store.failed', `DescribeTable returned nothing for table "${table}"`);
    return out.Table;
  }

  /** The table's key schema, checked against the collection's mapping. */
  async keysFor(m: EntityMapping): Promise<TableKeys> {
    let pending = this.keys.get(m.table);
    if (!pending) {
      pending = this.describe(m.table).then(tableKeys);
      this.keys.set(m.table, pending);
      pending.catch(() => this.keys.delete(m.table));
    }
    const keys = await pending.catch((error: unknown) => {
      throw m.collection === m.table ? error : renameNotFound(error, m);
    });
    checkMapping(m, keys);
    return keys;
  }

  forget(table: string): void {
    this.keys.delete(table);
  }

  /**
   * Takes a description just read (by `createTable`) as the table's key schema, so the next use
   * of the table need not describe it again; forgets it when the description holds no key schema.
   */
  remember(table: string, description: TableDescription | undefined): void {
    this.keys.delete(table);
    if (!description?.KeySchema?.length) return;
    try {
      this.keys.set(table, Promise.resolve(tableKeys(description)));
    } catch {
      // A description without a usable key schema: the next use describes the table itself.
    }
  }
}

/** A missing shared table, reported under the collection's name as well as the table's. */
function renameNotFound(error: unknown, m: EntityMapping): unknown {
  if (!isStewardError(error, 'collection.not-found')) return error;
  return new StewardError(
    'collection.not-found',
    `collection "${m.collection}" cannot be read: ${error.message}`,
    { ...error.details, collection: m.collection },
    { cause: error },
  );
}

/** Refuses a mapping that cannot address the table's items, naming what to change. */
function checkMapping(m: EntityMapping, keys: TableKeys): void {
  const problem = mappingProblem(m, keys);
  if (problem) {
    throw new StewardError(
      'config.invalid',
      `collection "${m.collection}" on DynamoDB table "${m.table}": ${problem}`,
      {
        collection: m.collection,
        table: m.table,
      },
    );
  }
}

function mappingProblem(m: EntityMapping, keys: TableKeys): string | undefined {
  if (keys.partition.name !== m.partitionKey) {
    return `the table's partition key is "${keys.partition.name}", not "${m.partitionKey}"; set dynamodb.partitionKey`;
  }
  if (keys.partition.type === 'B') return 'binary partition keys are not supported';
  if (keys.partition.type === 'N' && m.keyPrefix !== '')
    return 'a keyPrefix needs a string (S) partition key';
  if (keys.sort && !m.sortKey) {
    return `the table has sort key "${keys.sort.name}"; set dynamodb.sortKey to this entity's constant value`;
  }
  if (!keys.sort && m.sortKey)
    return `the table has no sort key, but dynamodb.sortKey names "${m.sortKey.name}"`;
  if (keys.sort && m.sortKey && keys.sort.name !== m.sortKey.name) {
    return `the table's sort key is "${keys.sort.name}", not "${m.sortKey.name}"`;
  }
  if (keys.sort?.type === 'N' && m.sortKey && !Number.isFinite(Number(m.sortKey.value))) {
    return `the sort key is a number, but the entity's value "${m.sortKey.value}" is not`;
  }
  if (keys.sort?.type === 'B') return 'binary sort keys are not supported';
  return undefined;
}
