/**
 * SQLite indexes made through the seam are expression indexes on the very text `filterToSql`
 * writes, so the query planner uses them for filters on the indexed fields.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { parseFilter } from '../../src/core/filter.js';
import { filterToSql } from '../../src/stores/sqlite/filter-to-sql.js';
import { openSqliteStore } from '../../src/stores/sqlite/sqlite-store.js';
import type { Store } from '../../src/stores/store.js';

describe('SQLite expression indexes', () => {
  let dir: string;
  let store: Store;
  const spec = { name: 'tasks', keyField: 'id' };
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'steward-sqlite-index-'));
    store = await openSqliteStore({ kind: 'sqlite', file: join(dir, 's.sqlite') });
    await store.ensureCollection(spec);
    await store.collection(spec).write(
      Array.from({ length: 200 }, (_, i) => ({
        type: 'insert' as const,
        doc: { id: `t${i}`, status: i % 3 === 0 ? 'open' : 'done', owner: { team: `x'${i % 5}` } },
      })),
    );
  });
  after(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** The query plan of a scan with this filter, read from the database file directly. */
  function plan(filter: Record<string, unknown>): string {
    const where = filterToSql(parseFilter(filter));
    const db = new Database(join(dir, 's.sqlite'), { readonly: true });
    try {
      const rows = db
        .prepare(`EXPLAIN QUERY PLAN SELECT k, doc FROM "tasks" WHERE ${where.sql}`)
        .all(...where.params) as { detail: string }[];
      return rows.map((r) => r.detail).join('; ');
    } finally {
      db.close();
    }
  }

  test('a filter on an indexed field searches the index; without the index it scans', async () => {
    const c = store.collection(spec);
    assert.doesNotMatch(plan({ status: 'open' }), /USING INDEX/);
    await c.createIndex({ name: 'by_status', fields: ['status'] });
    assert.match(plan({ status: 'open' }), /SEARCH tasks USING INDEX "?tasks:by_status"? \(<expr>=\?\)/);
    assert.match(plan({ status: { $in: ['open', 'done'] } }), /USING INDEX "?tasks:by_status"?/);
    await c.dropIndex('by_status');
    assert.doesNotMatch(plan({ status: 'open' }), /USING INDEX/);
  });

  test('a dotted field with a quote in its values is indexed and found the same way', async () => {
    const c = store.collection(spec);
    await c.createIndex({ name: 'by_team', fields: ['owner.team'] });
    assert.match(plan({ 'owner.team': "x'1" }), /USING INDEX "?tasks:by_team"?/);
    assert.equal(await c.count({ filter: parseFilter({ 'owner.team': "x'1" }) }), 40);
    assert.deepEqual(
      (await c.listIndexes()).find((i) => i.name === 'by_team'),
      { name: 'by_team', fields: ['owner.team'], unique: false },
    );
  });
});
