import { ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { isStewardError } from '../../errors/steward-error.js';
import type {
  CollectionSpec,
  CopyOptions,
  CopyResult,
  Store,
  StoreCapabilities,
  StoreInfo,
} from '../store.js';
import type { DynamoStoreConfig } from '../store-config.js';
import { maxBatchGet } from './batch-get.js';
import { maxBatchWrite } from './batch-write.js';
import { copyCollection } from './collection-copy.js';
import { DynamoClient } from './dynamodb-client.js';
import { DynamoCollection } from './dynamodb-collection.js';
import { deleteEntityItems } from './entity-items.js';
import { createTable, deleteTable } from './table-admin.js';
import { TableCatalog } from './table-keys.js';

/** What DynamoDB can do through the seam. Counts scan, scans are unordered, indexes are not made here. */
const capabilities: StoreCapabilities = {
  cheapExactCount: false,
  orderedScan: false,
  secondaryIndexes: false,
  maxBatchGet,
  maxBatchWrite,
  atomicConditionalWrites: true,
  defaultKeyField: 'id',
};

/**
 * Opens a DynamoDB store (or DynamoDB Local, with `endpoint`). Does no I/O: the first call that
 * needs the service reports it unreachable or refusing the credentials.
 */
export async function openDynamoStore(config: DynamoStoreConfig): Promise<Store> {
  return new DynamoStore(config);
}

/**
 * The DynamoDB adapter. A collection is a table or an entity inside a shared table (see
 * `table-mapping.ts`); `listCollections` lists tables, because entities cannot be discovered.
 * Every table name gets the store's `tablePrefix` here, and only here, so whatever names a
 * collection (the config, the ledger, a dry run's sandbox, the example) stays inside its prefix.
 */
class DynamoStore implements Store {
  readonly kind = 'dynamodb' as const;
  readonly capabilities = capabilities;
  private readonly client: DynamoClient;
  private readonly catalog: TableCatalog;

  constructor(private readonly config: DynamoStoreConfig) {
    this.client = new DynamoClient(config);
    this.catalog = new TableCatalog(this.client);
  }

  collection(spec: CollectionSpec): DynamoCollection {
    return new DynamoCollection(this.client, this.catalog, spec);
  }

  async ensureCollection(spec: CollectionSpec): Promise<void> {
    await this.ensure(this.collection(spec), 'S');
  }

  /**
   * A whole-table collection is dropped with DeleteTable (waiting until it is gone, so it can be
   * created again at once). An entity of a shared table has its items deleted, and the table,
   * with any other entities in it, stays.
   */
  async dropCollection(spec: CollectionSpec): Promise<void> {
    const collection = this.collection(spec);
    const table = collection.mapping.table;
    if (collection.mapping.wholeTable) {
      await deleteTable(this.client, table);
      this.catalog.forget(table);
      return;
    }
    try {
      await deleteEntityItems(this.client, await collection.mapper());
    } catch (error) {
      if (!isStewardError(error, 'collection.not-found')) throw error;
    }
  }

  /**
   * The tables of this store's `tablePrefix`, named without it (as collections and ledger specs
   * name them); tables of other prefixes are not this store's and are left out.
   */
  async listCollections(): Promise<string[]> {
    const prefix = this.client.tablePrefix;
    const names: string[] = [];
    let start: string | undefined;
    do {
      const out = await this.client.call('ListTables', undefined, (sdk) =>
        sdk.send(new ListTablesCommand({ ExclusiveStartTableName: start })),
      );
      for (const table of out.TableNames ?? [])
        if (table.startsWith(prefix)) names.push(table.slice(prefix.length));
      start = out.LastEvaluatedTableName;
    } while (start);
    return names;
  }

  copyCollection(source: CollectionSpec, target: CollectionSpec, options?: CopyOptions): Promise<CopyResult> {
    const recreate = async (collection: DynamoCollection, partitionType: 'S' | 'N') => {
      await this.dropCollection(collection.spec);
      await this.ensure(collection, collection.mapping.keyPrefix === '' ? partitionType : 'S');
    };
    return copyCollection(
      this.client,
      { recreate },
      this.collection(source),
      this.collection(target),
      options,
    );
  }

  /**
   * ListTables with Limit 1. No version is reported, and none is made up: AWS DynamoDB is a service
   * without versions, and DynamoDB Local answers no call with its own (its responses name only its
   * web server, Jetty; the version is printed in its startup log). The product says whether it is
   * AWS or a configured endpoint (normally DynamoDB Local).
   */
  async ping(): Promise<StoreInfo> {
    await this.client.call('ListTables', undefined, (sdk) => sdk.send(new ListTablesCommand({ Limit: 1 })));
    if (!this.config.endpoint)
      return {
        product: 'DynamoDB',
        version: 'not reported',
        versionNote: 'a managed service without versions',
      };
    return {
      product: `DynamoDB Local (${this.config.endpoint})`,
      version: 'not reported',
      versionNote: 'DynamoDB Local has no call that returns its version; its startup log prints it',
    };
  }

  async close(): Promise<void> {
    this.client.destroy();
  }

  private async ensure(collection: DynamoCollection, partitionType: 'S' | 'N'): Promise<void> {
    const table = await createTable(this.client, collection.mapping, partitionType);
    this.catalog.remember(collection.mapping.table, table);
  }
}
