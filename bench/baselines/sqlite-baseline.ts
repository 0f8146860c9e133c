import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { JsonObject } from '../../src/core/json.js';
import { StewardError } from '../../src/errors/steward-error.js';
import type { SqliteStoreConfig } from '../../src/stores/store-config.js';
import { type Baseline, baselineName } from './baseline.js';

/**
 * better-sqlite3 by hand: a `(id TEXT PRIMARY KEY, doc TEXT) WITHOUT ROWID` table (the physical
 * layout steward's adapter uses too), the same pragmas as the adapter, one prepared INSERT run in
 * one transaction per batch, and `.iterate()` for the scan, parsing each document as the seam must.
 */
export function openSqliteBaseline(config: SqliteStoreConfig): Baseline {
  let db: Database.Database;
  try {
    mkdirSync(dirname(config.file), { recursive: true });
    db = new Database(config.file);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
  } catch (error) {
    throw new StewardError(
      'store.unreachable',
      `cannot open SQLite file ${config.file}: ${(error as Error).message}`,
    );
  }
  let insertBatch: ((docs: readonly JsonObject[]) => void) | undefined;
  return {
    async reset() {
      db.exec(`DROP TABLE IF EXISTS ${baselineName}`);
      db.exec(`CREATE TABLE ${baselineName} (id TEXT PRIMARY KEY, doc TEXT NOT NULL) WITHOUT ROWID`);
      const insert = db.prepare(`INSERT INTO ${baselineName} (id, doc) VALUES (?, ?)`);
      insertBatch = db.transaction((docs: readonly JsonObject[]) => {
        for (const doc of docs) insert.run(doc.id, JSON.stringify(doc));
      });
    },
    async write(docs) {
      if (!insertBatch) throw new Error('sqlite baseline: reset() before write()');
      insertBatch(docs);
    },
    async scan(poll) {
      let n = 0;
      for (const row of db.prepare(`SELECT id, doc FROM ${baselineName}`).iterate() as IterableIterator<{
        doc: string;
      }>) {
        if (JSON.parse(row.doc) !== null) n++;
        if (n % 1000 === 0) poll();
      }
      return n;
    },
    async drop() {
      db.exec(`DROP TABLE IF EXISTS ${baselineName}`);
    },
    async close() {
      db.close();
    },
  };
}
