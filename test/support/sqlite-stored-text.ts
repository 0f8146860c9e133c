/**
 * The text a SQLite test store holds for a document, read from its file with the driver, beside
 * the store (the seam gives documents parsed): for tests of what exactly a write stored.
 */
import Database from 'better-sqlite3';
import { tableName } from '../../src/stores/sqlite/sqlite-collection.js';
import { type CollectionSpec, type DocKey, keyId } from '../../src/stores/store.js';
import type { StoreConfig } from '../../src/stores/store-config.js';

export function sqliteStoredText(config: StoreConfig, spec: CollectionSpec, key: DocKey): string | undefined {
  if (config.kind !== 'sqlite') throw new Error('stored text is read on SQLite only');
  const db = new Database(config.file, { readonly: true });
  try {
    const row = db.prepare(`SELECT doc FROM ${tableName(spec)} WHERE k = ?`).get(keyId(key));
    return (row as { doc: string } | undefined)?.doc;
  } finally {
    db.close();
  }
}
