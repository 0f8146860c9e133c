/**
 * A SQLite collection made WITHOUT ROWID gets a key index (`<name>#keys`) with its table, and the
 * lookups that only ask whether keys exist (`existingKeys`, the reference check pushed down) name
 * it, so they do not read whole overflowing rows on their way down the primary key's B-tree (see
 * `keyIndexSql` in sqlite-store.ts). A table made without it is left as it is and still answers.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { referenceCheckSql } from '../../src/stores/sqlite/reference-check-sql.js';
import type { SqliteCollection } from '../../src/stores/sqlite/sqlite-collection.js';
import { openSqliteStore } from '../../src/stores/sqlite/sqlite-store.js';
import type { CollectionSpec, Store, WriteOp } from '../../src/stores/store.js';

const targets = 300;
/** Targets that overflow a 4 KB page, as users' documents often do. */
const notes = 'n'.repeat(5000);

describe('the SQLite key index', () => {
  let dir: string;
  let store: Store;
  const cases: CollectionSpec = { name: 'cases', keyField: 'id' };
  const oldCases: CollectionSpec = { name: 'old_cases', keyField: 'id' };
  const tasks: CollectionSpec = { name: 'tasks', keyField: 'id' };

  function handle(spec: CollectionSpec): SqliteCollection {
    return store.collection(spec) as SqliteCollection;
  }

  /** The indexes SQLite keeps for a table (a WITHOUT ROWID table's primary key is the table). */
  function indexesOf(table: string): string[] {
    const rows = handle(tasks)
      .db.prepare(`SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = ? ORDER BY name`)
      .all(table) as { name: string }[];
    return rows.map((r) => r.name);
  }

  async function insert(spec: CollectionSpec, docs: Record<string, unknown>[]): Promise<void> {
    const ops = docs.map((doc) => ({ type: 'insert', doc }) as WriteOp);
    const results = await store.collection(spec).write(ops);
    assert.ok(results.every((r) => r.status === 'ok'));
  }

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'steward-sqlite-key-index-'));
    store = await openSqliteStore({ kind: 'sqlite', file: join(dir, 's.sqlite') });
    // As a steward before the key index made its tables: WITHOUT ROWID, no index.
    handle(tasks).db.exec(`CREATE TABLE old_cases (k TEXT PRIMARY KEY, doc TEXT NOT NULL) WITHOUT ROWID`);
    for (const spec of [cases, oldCases, tasks]) await store.ensureCollection(spec);
    const targetDocs = Array.from({ length: targets }, (_, i) => ({ id: `c${i}`, notes }));
    await insert(cases, targetDocs);
    await insert(oldCases, targetDocs);
    // Every 10th task points past the last case; every 7th holds a list with one good and one bad.
    await insert(
      tasks,
      Array.from({ length: 1000 }, (_, i) => ({
        id: `t${String(i).padStart(4, '0')}`,
        caseId:
          i % 7 === 0
            ? [`c${i % targets}`, `c${targets + i}`]
            : `c${i % 10 === 0 ? targets + i : i % targets}`,
      })),
    );
  });
  after(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('a new table has its key index, which listIndexes does not show; a rowid table has none', async () => {
    assert.deepEqual(indexesOf('cases'), ['cases#keys']);
    assert.deepEqual(
      (await store.collection(cases).listIndexes()).map((i) => i.name),
      ['primary'],
    );
    assert.equal(handle(cases).keyIndexedBy(), ' INDEXED BY "cases#keys"');
    const images: CollectionSpec = { name: 'images', keyField: 'id', largeDocuments: true };
    await store.ensureCollection(images);
    assert.deepEqual(indexesOf('images'), ['sqlite_autoindex_images_1']);
    assert.equal(handle(images).keyIndexedBy(), '');
  });

  test('ensureCollection leaves a table made without it as it is', () => {
    assert.deepEqual(indexesOf('old_cases'), []);
    assert.equal(handle(oldCases).keyIndexedBy(), '');
  });

  test('existingKeys and the pushed-down check answer alike with the index and without', async () => {
    const asked = Array.from({ length: 50 }, (_, i) => `c${i * 11}`);
    const expected = asked.filter((k) => Number(k.slice(1)) < targets).map((k) => `s:${k}`);
    assert.deepEqual([...(await store.collection(cases).existingKeys(asked))].sort(), expected.sort());
    assert.deepEqual([...(await store.collection(oldCases).existingKeys(asked))].sort(), expected.sort());

    const unresolvedAgainst = async (target: CollectionSpec) => {
      const check = handle(tasks).referenceCheck(store.collection(target), 'caseId');
      assert.ok(check, 'the check is pushed down');
      const keys: unknown[] = [];
      let after: string | null | undefined;
      do {
        const page = await check.page({ limit: 128, ...(after ? { after } : {}) });
        keys.push(...page.unresolved.map((d) => d.id));
        after = page.next;
      } while (after);
      return keys;
    };
    const withIndex = await unresolvedAgainst(cases);
    // Every 10th task, and every 7th (its list holds a missing key): 100 + 143 - 15 in both.
    assert.equal(withIndex.length, 228);
    assert.deepEqual(withIndex, await unresolvedAgainst(oldCases));
  });

  test('the check and existingKeys look keys up through the index, and ask again each time', async () => {
    const sql = referenceCheckSql(
      { source: '"tasks"', target: '"cases"', targetIndexedBy: handle(cases).keyIndexedBy() },
      1,
      false,
    );
    const plan = handle(tasks)
      .db.prepare(`EXPLAIN QUERY PLAN ${sql.checkRest}`)
      .all({ after: '', full: '$."caseId"', p0: '$."caseId"' }) as { detail: string }[];
    const lookups = plan.map((row) => row.detail).filter((d) => /\bt\b/.test(d));
    assert.ok(lookups.length > 0, JSON.stringify(plan));
    for (const lookup of lookups) assert.match(lookup, /USING COVERING INDEX cases#keys/);

    // A dropped index is noticed by the next lookup, which then reads the primary key.
    const scratch: CollectionSpec = { name: 'scratch', keyField: 'id' };
    await store.ensureCollection(scratch);
    await insert(scratch, [{ id: 'a' }, { id: 'b' }]);
    const scratchHandle = handle(scratch);
    assert.deepEqual([...(await scratchHandle.existingKeys(['a', 'z']))], ['s:a']);
    scratchHandle.db.exec(`DROP INDEX "scratch#keys"`);
    assert.deepEqual([...(await scratchHandle.existingKeys(['b', 'z']))], ['s:b']);
  });

  test('layoutGaps names the key index a table made without it lacks; closeLayoutGaps adds it, no document changed', async () => {
    const legacy: CollectionSpec = { name: 'legacy_cases', keyField: 'id' };
    const db = handle(tasks).db;
    db.exec(`CREATE TABLE legacy_cases (k TEXT PRIMARY KEY, doc TEXT NOT NULL) WITHOUT ROWID`);
    // Stored texts as another writer left them (spacing, field order): kept byte for byte.
    const insertRow = db.prepare('INSERT INTO legacy_cases (k, doc) VALUES (?, ?)');
    for (let i = 0; i < 50; i++) insertRow.run(`s:c${i}`, `{ "notes": "${notes}",  "id": "c${i}" }`);
    const rows = () => db.prepare('SELECT k, doc FROM legacy_cases ORDER BY k').all();
    const before = rows();

    const gaps = await store.layoutGaps?.(legacy);
    assert.deepEqual(
      gaps?.map((g) => [g.kind, g.name]),
      [['key-index', 'legacy_cases#keys']],
    );
    assert.match(gaps?.[0]?.without ?? '', /read whole documents/);
    assert.equal(handle(legacy).keyIndexedBy(), '');

    assert.deepEqual(await store.closeLayoutGaps?.(legacy), gaps);
    assert.deepEqual(indexesOf('legacy_cases'), ['legacy_cases#keys']);
    assert.equal(handle(legacy).keyIndexedBy(), ' INDEXED BY "legacy_cases#keys"');
    assert.deepEqual(rows(), before);
    assert.deepEqual([...(await store.collection(legacy).existingKeys(['c3', 'c99']))], ['s:c3']);
    // Idempotent: nothing left to add.
    assert.deepEqual(await store.layoutGaps?.(legacy), []);
    assert.deepEqual(await store.closeLayoutGaps?.(legacy), []);

    // None for a table made with it, a rowid table, or a table that does not exist.
    assert.deepEqual(await store.layoutGaps?.(cases), []);
    const images: CollectionSpec = { name: 'images', keyField: 'id', largeDocuments: true };
    await store.ensureCollection(images);
    assert.deepEqual(await store.layoutGaps?.(images), []);
    assert.deepEqual(await store.layoutGaps?.({ name: 'no_such_table', keyField: 'id' }), []);
  });

  test('a sandbox copy gets the key index too', async () => {
    const copy: CollectionSpec = { name: 'cases_copy', keyField: 'id' };
    const { copied } = await store.copyCollection(cases, copy);
    assert.equal(copied, targets);
    assert.deepEqual(indexesOf('cases_copy'), ['cases_copy#keys']);
  });

  test('a copy is laid out as its source: a rowid table made outside steward copies as one', async () => {
    const db = handle(tasks).db;
    const withoutRowid = (table: string) =>
      db.prepare(`SELECT wr FROM pragma_table_list WHERE schema = 'main' AND name = ?`).pluck().get(table);
    // As an application that made its own table in steward's format would: a rowid table.
    db.exec(`CREATE TABLE app_cases (k TEXT PRIMARY KEY, doc TEXT NOT NULL)`);
    const insertRow = db.prepare('INSERT INTO app_cases (k, doc) VALUES (?, ?)');
    for (let i = 0; i < 20; i++) insertRow.run(`s:a${i}`, JSON.stringify({ id: `a${i}`, notes }));
    const appCases: CollectionSpec = { name: 'app_cases', keyField: 'id' };
    const sandbox: CollectionSpec = { name: 'app_cases_sandbox', keyField: 'id' };
    assert.equal((await store.copyCollection(appCases, sandbox)).copied, 20);
    assert.equal(withoutRowid('app_cases_sandbox'), 0);
    assert.deepEqual(indexesOf('app_cases_sandbox'), ['sqlite_autoindex_app_cases_sandbox_1']);
    assert.deepEqual(await store.layoutGaps?.(sandbox), []);
    assert.deepEqual([...(await store.collection(sandbox).existingKeys(['a3', 'a30']))], ['s:a3']);
    // And a WITHOUT ROWID source copies as one, with its key index (the test above).
    assert.equal(withoutRowid('cases_copy'), 1);
  });
});
