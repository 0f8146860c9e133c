/**
 * A scan over SQLite gives the event loop a turn at every page, as a network store does: the
 * server runs scan jobs in its own process, and requests must be answered while they run. An
 * unfiltered count (a scan's preload estimates) does the same between pieces of the key index.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { scanPages } from '../../src/stores/scan-pages.js';
import { countPieceRows } from '../../src/stores/sqlite/sqlite-collection.js';
import { openSqliteStore } from '../../src/stores/sqlite/sqlite-store.js';
import type { Store } from '../../src/stores/store.js';

describe('SQLite scans and the event loop', () => {
  let dir: string;
  let store: Store;
  const spec = { name: 'tasks', keyField: 'id' };
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'steward-sqlite-yield-'));
    store = await openSqliteStore({ kind: 'sqlite', file: join(dir, 's.sqlite') });
    await store.ensureCollection(spec);
    await store
      .collection(spec)
      .write(Array.from({ length: 30 }, (_, i) => ({ type: 'insert' as const, doc: { id: `t${i}` } })));
  });
  after(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('callbacks waiting for the event loop run between the pages of a scan', async () => {
    let turns = 0;
    const tick = () => {
      turns += 1;
      if (turns < 100) setImmediate(tick);
    };
    setImmediate(tick);
    const seen: number[] = [];
    let docs = 0;
    for await (const page of scanPages(store.collection(spec), { limit: 10 })) {
      docs += page.docs.length;
      seen.push(turns);
    }
    assert.equal(docs, 30);
    assert.ok(seen.length >= 3);
    // Before: all 0, the whole scan ran before the event loop's next turn.
    assert.ok(
      seen.every((n, i) => n > (i === 0 ? 0 : seen[i - 1]!)),
      `turns seen at each page: ${seen.join(', ')}`,
    );
  });

  test('an unfiltered count gives the event loop a turn between pieces, and is exact', async () => {
    const big = { name: 'big', keyField: 'id' };
    await store.ensureCollection(big);
    const rows = 2 * countPieceRows + 7;
    for (let from = 0; from < rows; from += 20_000) {
      const size = Math.min(20_000, rows - from);
      const ops = Array.from({ length: size }, (_, i) => ({
        type: 'insert' as const,
        doc: { id: `b${String(from + i).padStart(7, '0')}` },
      }));
      await store.collection(big).write(ops);
    }
    let turns = 0;
    let counting = true;
    const tick = () => {
      turns += 1;
      if (counting) setImmediate(tick);
    };
    setImmediate(tick);
    const n = await store.collection(big).count();
    const estimate = await store.collection(big).count({ estimate: true });
    counting = false;
    assert.equal(n, rows);
    assert.equal(estimate, rows);
    // Before: 0, one count(*) over the whole table ran in a single turn.
    assert.ok(turns >= 2, `turns during the counts: ${turns}`);
  });

  test('a count of a whole number of pieces and of an empty collection is exact', async () => {
    const even = { name: 'even', keyField: 'id' };
    await store.ensureCollection(even);
    assert.equal(await store.collection(even).count(), 0);
    const ops = Array.from({ length: countPieceRows }, (_, i) => ({
      type: 'insert' as const,
      doc: { id: `e${i}` },
    }));
    await store.collection(even).write(ops);
    assert.equal(await store.collection(even).count(), countPieceRows);
  });
});
