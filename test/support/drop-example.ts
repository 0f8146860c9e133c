import { exampleCollectionNames } from '../../src/example/case-management-model.js';
import { exampleSpec } from '../../src/example/generate-example.js';
import { openStore } from '../../src/stores/open-store.js';
import type { StoreConfig } from '../../src/stores/store-config.js';

/**
 * Removes the example a test generated in a shared server: its collections, and on MongoDB its
 * database. A SQLite file goes with the test's temporary folder, so there is nothing to do.
 */
export async function dropExample(config: StoreConfig): Promise<void> {
  if (config.kind === 'sqlite') return;
  const store = await openStore(config);
  for (const name of exampleCollectionNames) await store.dropCollection(exampleSpec(name));
  await store.close();
  if (config.kind === 'mongodb') {
    const { MongoClient } = await import('mongodb');
    const client = new MongoClient(config.uri);
    await client.db(config.database).dropDatabase();
    await client.close();
  }
}
