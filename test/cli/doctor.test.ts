/**
 * `steward doctor` on each selected store, as a user runs it (the built CLI): every declared
 * collection is looked up in its store (the SQLite table, the MongoDB collection, the DynamoDB
 * table, or the table of a single-table entity) and each missing one is named, exit 1; once they
 * all exist, exit 0. On DynamoDB Local the version is said to be not reported, with why, never
 * "unknown". On SQLite, a table made by a steward before every table had a key index is named as a
 * layout gap (exit 0: it is slower, not wrong), and `doctor --fix` builds the index, writing no
 * document.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { SqliteCollection } from '../../src/stores/sqlite/sqlite-collection.js';
import type { DoctorReport } from '../../src/workspace/doctor.js';
import { projectWithConfig, runSteward } from '../support/run-steward.js';
import { openTestStore, selectedKinds } from '../support/test-stores.js';

for (const kind of selectedKinds()) {
  describe(`steward doctor on ${kind}`, () => {
    test('names every declared collection that does not exist, exit 1; exit 0 once all exist', async () => {
      const t = await openTestStore(kind);
      const sharedTables: string[] = [];
      try {
        const present = t.spec('present');
        const gone = t.spec('gone');
        const entity = (name: string, table: string) => ({
          ...t.spec(name),
          dynamodb: { table, partitionKey: 'pk', keyPrefix: `${name}#` },
        });
        // DynamoDB also: an entity whose shared table exists, and one whose table does not.
        const single =
          kind === 'dynamodb'
            ? [entity('inshared', `${present.name}_app`), entity('lost', `${present.name}_no`)]
            : [];
        sharedTables.push(...single.map((s) => s.dynamodb.table));
        const declared = [present, gone, ...single];
        const collections = declared
          .map((s) => `${s.name}: ${JSON.stringify(s.dynamodb ? { dynamodb: s.dynamodb } : {})}`)
          .join(', ');
        const dir = projectWithConfig(
          `{ stores: { main: ${JSON.stringify(t.config)} }, collections: { ${collections} } }`,
        );
        await t.store.ensureCollection(present);
        if (single[0]) await t.store.ensureCollection(single[0]);

        const sick = await runSteward(['doctor'], { cwd: dir, timeoutMs: 120_000 });
        assert.equal(sick.code, 1, sick.stdout + sick.stderr);
        const missing = kind === 'dynamodb' ? 2 : 1;
        assert.match(
          sick.stdout,
          new RegExp(`collections: ${missing} of ${declared.length} declared do not exist`),
        );
        const what = kind === 'mongodb' ? 'collection' : 'table';
        assert.match(
          sick.stdout,
          new RegExp(`MISSING {2}${gone.name} \\(store "main"\\): no ${what} "${gone.name}"`),
        );
        if (kind === 'dynamodb') {
          assert.match(
            sick.stdout,
            new RegExp(`MISSING {2}\\S+_lost \\(store "main"\\): no table "${present.name}_no"`),
          );
          assert.doesNotMatch(sick.stdout, /inshared \(store/);
          assert.match(sick.stdout, /DynamoDB Local \(http:[^)]+\) \(version not reported: [^)]+\)/);
          assert.doesNotMatch(sick.stdout, /unknown/);
        }
        assert.doesNotMatch(sick.stdout, new RegExp(`MISSING {2}${present.name} `));
        const json = JSON.parse(
          (await runSteward(['doctor', '--json'], { cwd: dir })).stdout,
        ) as DoctorReport;
        assert.deepEqual(
          json.collections.filter((c) => !c.exists).map((c) => c.collection),
          declared.filter((s) => s !== present && s !== single[0]).map((s) => s.name),
        );

        await t.store.ensureCollection(gone);
        if (single[1]) await t.store.ensureCollection(single[1]);
        const well = await runSteward(['doctor'], { cwd: dir, timeoutMs: 120_000 });
        assert.equal(well.code, 0, well.stdout + well.stderr);
        assert.match(well.stdout, new RegExp(`collections: all ${declared.length} declared exist`));
      } finally {
        for (const table of sharedTables) await t.store.dropCollection({ name: table, keyField: 'pk' });
        await t.cleanup();
      }
    });
  });
}

if (selectedKinds().includes('sqlite')) {
  describe('steward doctor on sqlite, a table without its key index', () => {
    test('is a GAP (exit 0) until --fix builds the index; no document changes', async () => {
      const t = await openTestStore('sqlite');
      try {
        const current = t.spec('current');
        const legacy = t.spec('legacy');
        await t.store.ensureCollection(current);
        // As a steward before the key index made its tables: WITHOUT ROWID, no index.
        const db = (t.store.collection(current) as SqliteCollection).db;
        db.exec(`CREATE TABLE "${legacy.name}" (k TEXT PRIMARY KEY, doc TEXT NOT NULL) WITHOUT ROWID`);
        const insert = db.prepare(`INSERT INTO "${legacy.name}" (k, doc) VALUES (?, ?)`);
        for (let i = 0; i < 200; i++) insert.run(`s:d${i}`, `{"id":"d${i}", "n": ${i}}`);
        const rows = () => db.prepare(`SELECT k, doc FROM "${legacy.name}" ORDER BY k`).all();
        const before = rows();
        const dir = projectWithConfig(
          `{ stores: { main: ${JSON.stringify(t.config)} }, collections: { ${current.name}: {}, ${legacy.name}: {} } }`,
        );
        const gap = `GAP {6}${legacy.name} \\(store "main"\\): no key index "${legacy.name}#keys": `;

        const slow = await runSteward(['doctor'], { cwd: dir, timeoutMs: 120_000 });
        assert.equal(slow.code, 0, slow.stdout + slow.stderr);
        assert.match(slow.stdout, new RegExp(`${gap}.*read whole documents`));
        assert.doesNotMatch(slow.stdout, new RegExp(`GAP {6}${current.name} `));
        assert.match(
          slow.stdout,
          /layout: 1 collection\(s\) lack part of steward's layout; "steward doctor --fix"/,
        );
        const json = JSON.parse(
          (await runSteward(['doctor', '--json'], { cwd: dir })).stdout,
        ) as DoctorReport;
        assert.deepEqual(
          json.collections.map((c) => [c.collection, c.layoutGaps?.map((g) => g.name) ?? []]),
          [
            [current.name, []],
            [legacy.name, [`${legacy.name}#keys`]],
          ],
        );

        const fixed = await runSteward(['doctor', '--fix'], { cwd: dir, timeoutMs: 120_000 });
        assert.equal(fixed.code, 0, fixed.stdout + fixed.stderr);
        assert.match(
          fixed.stderr,
          new RegExp(`adding key index "${legacy.name}#keys" to ${legacy.name}\\.\\.\\.`),
        );
        assert.match(
          fixed.stdout,
          new RegExp(`ADDED {4}${legacy.name} \\(store "main"\\): key index "${legacy.name}#keys"`),
        );
        assert.doesNotMatch(fixed.stdout, /GAP|layout:/);
        assert.equal(
          (t.store.collection(legacy) as SqliteCollection).keyIndexedBy(),
          ` INDEXED BY "${legacy.name}#keys"`,
        );
        assert.deepEqual(rows(), before);

        const nothing = await runSteward(['doctor', '--fix'], { cwd: dir, timeoutMs: 120_000 });
        assert.equal(nothing.code, 0, nothing.stdout + nothing.stderr);
        assert.match(nothing.stdout, /layout: nothing to add/);
        assert.doesNotMatch(nothing.stdout + nothing.stderr, /ADDED|adding/);
        const again = JSON.parse(
          (await runSteward(['doctor', '--fix', '--json'], { cwd: dir })).stdout,
        ) as DoctorReport;
        assert.deepEqual(
          again.collections.filter((c) => c.layoutGaps || c.added),
          [],
          'nothing left to add, and nothing added twice',
        );
      } finally {
        await t.cleanup();
      }
    });
  });
}
