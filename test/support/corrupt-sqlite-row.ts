import type { SqliteCollection } from '../../src/stores/sqlite/sqlite-collection.js';
import type { Collection } from '../../src/stores/store.js';
import type { TestStore } from './test-stores.js';

/**
 * A SQLite collection and a collection of copies beside it, both created, for the cases where
 * stored text that is not JSON meets a pushdown that copies or restores inside SQLite.
 */
export async function sqliteWithCopies(
  t: TestStore,
  name = 'corrupt',
): Promise<{ docs: SqliteCollection; copies: Collection }> {
  const spec = t.spec(name);
  const copiesSpec = t.spec(`${name}_copies`);
  await t.store.ensureCollection(spec);
  await t.store.ensureCollection(copiesSpec);
  return { docs: t.store.collection(spec) as SqliteCollection, copies: t.store.collection(copiesSpec) };
}

/** Overwrites a row's stored text behind steward's back, as a broken import would. */
export function storeRawText(docs: SqliteCollection, id: string, text: string): void {
  docs.db.prepare(`UPDATE ${docs.table} SET doc = ? WHERE k = ?`).run(text, id);
}
