import type { Store } from './store.js';
import type { StoreConfig } from './store-config.js';

/**
 * Opens a store. Drivers are imported here, lazily, so a user of one store never loads the
 * others and the CLI starts fast. The switch is exhaustive: a new kind fails to compile until it
 * is handled.
 */
export async function openStore(config: StoreConfig): Promise<Store> {
  switch (config.kind) {
    case 'sqlite': {
      const { openSqliteStore } = await import('./sqlite/sqlite-store.js');
      return openSqliteStore(config);
    }
    case 'mongodb': {
      const { openMongoStore } = await import('./mongodb/mongodb-store.js');
      return openMongoStore(config);
    }
    case 'dynamodb': {
      const { openDynamoStore } = await import('./dynamodb/dynamodb-store.js');
      return openDynamoStore(config);
    }
    default: {
      const never: never = config;
      throw new Error(`unknown store kind ${JSON.stringify(never)}`);
    }
  }
}
