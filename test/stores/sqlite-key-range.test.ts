/**
 * On SQLite a filter on the collection's key field is answered by the primary key (`k`) where it
 * can be (string equality and string ranges): a key range reads only its rows, never the
 * documents of the rest of the table, and means what the JSON filter means.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { matchesFilter, parseFilter } from '../../src/core/filter.js';
import type { JsonObject } from '../../src/core/json.js';
import { scanPages } from '../../src/stores/scan-pages.js';
import { openSqliteStore } from '../../src/stores/sqlite/sqlite-store.js';
import type { Collection, Store } from '../../src/stores/store.js';

describe('SQLite filters on the key field', () => {
  let dir: string;
  let store: Store;
  let tasks: Collection;
  const spec = { name: 'tasks', keyField: 'id' };
  const docs: JsonObject[] = [
    ...Array.from({ length: 30 }, (_, i) => ({ id: `a|${String(i).padStart(2, '0')}`, n: i })),
    ...Array.from({ length: 10 }, (_, i) => ({ id: `b|${i}`, n: i })),
    ...Array.from({ length: 5 }, (_, i) => ({ id: i, n: i })),
    { id: { $oid: '65f0a0a0a0a0a0a0a0a0a0a0' }, n: 0 },
    { id: 'a}', n: 0 },
    { id: 'a', n: 0 },
  ];
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'steward-sqlite-key-range-'));
    store = await openSqliteStore({ kind: 'sqlite', file: join(dir, 's.sqlite') });
    await store.ensureCollection(spec);
    tasks = store.collection(spec);
    await tasks.write(docs.map((doc) => ({ type: 'insert' as const, doc })));
  });
  after(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function scanAll(filter: Record<string, unknown>, keysOnly = false): Promise<JsonObject[]> {
    const out: JsonObject[] = [];
    for await (const page of scanPages(tasks, { filter: parseFilter(filter), limit: 7, keysOnly }))
      out.push(...page.docs);
    return out;
  }

  test('string ranges and equality on the key find what the filter means, in key order', async () => {
    const filters = [
      { id: { $gt: 'a|', $lt: 'a}' } },
      { id: { $gte: 'a|05', $lte: 'a|09' } },
      { id: { $gt: 'b' } },
      { id: { $lt: 'a|03' } },
      { id: 'b|3' },
      { id: 'nowhere' },
      { id: { $gt: 1 } },
      { id: 2 },
    ];
    for (const filter of filters) {
      const parsed = parseFilter(filter);
      const want = docs.filter((doc) => matchesFilter(doc, parsed)).map((doc) => JSON.stringify(doc.id));
      const got = (await scanAll(filter)).map((doc) => JSON.stringify(doc.id));
      assert.deepEqual([...got].sort(), [...want].sort(), JSON.stringify(filter));
      assert.equal(await tasks.count({ filter: parsed }), want.length, `count ${JSON.stringify(filter)}`);
    }
  });

  test('a key range reads only its rows: a document outside it that is not JSON is never read', async () => {
    const db = new Database(join(dir, 's.sqlite'));
    try {
      db.prepare(`UPDATE "tasks" SET doc = 'not json {' WHERE k = 's:b|4'`).run();
    } finally {
      db.close();
    }
    const range = await scanAll({ id: { $gt: 'a|', $lt: 'a}' } }, true);
    assert.equal(range.length, 30);
    assert.deepEqual(range[0], { id: 'a|00' });
    assert.equal((await scanAll({ id: { $gte: 'a|10', $lt: 'a|20' } })).length, 10);
    assert.deepEqual(await scanAll({ id: 'b|3' }), [{ id: 'b|3', n: 3 }]);
    // The rest of the table is still read by filters on other fields, which report the document.
    await assert.rejects(scanAll({ n: 3 }), (error: { code?: string }) => error.code === 'store.corrupt');
  });
});
