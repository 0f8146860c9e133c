/**
 * On SQLite the ledger's backups collection, whose batch images run to hundreds of kilobytes, is a
 * rowid table with an index on the key, and every other collection a WITHOUT ROWID table (see
 * `SqliteStore.ensureCollection`); a backups table an older steward created WITHOUT ROWID keeps
 * its layout and still serves apply and rollback.
 */
import assert from 'node:assert/strict';
import { afterEach, describe, test } from 'node:test';
import { applyMigrations } from '../../src/migrations/apply/apply-migrations.js';
import { planHashOf } from '../../src/migrations/apply/apply-plan.js';
import { rollbackMigrations } from '../../src/migrations/rollback/rollback-migrations.js';
import type { SqliteCollection } from '../../src/stores/sqlite/sqlite-collection.js';
import { selectedKinds } from '../support/test-stores.js';
import { type MigrationWorld, migrationWorld, splitName } from './fixtures/migration-world.js';

const options = { canaryPercent: 20, batchSize: 50 };

/** Whether the SQLite table behind `handle` was created WITHOUT ROWID. */
function withoutRowid(handle: SqliteCollection): boolean {
  const row = handle.db
    .prepare(`SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?`)
    .get(handle.table.replace(/^"|"$/g, '').replaceAll('""', '"')) as { sql: string } | undefined;
  assert.ok(row, `table ${handle.table} exists`);
  return /WITHOUT ROWID/i.test(row.sql);
}

/** Apply then rollback of 120 documents; returns the checksums before apply and after rollback. */
async function applyThenRollBack(w: MigrationWorld) {
  await w.seed(120);
  const before = await w.checksum();
  const hash = planHashOf([splitName], w.target, options);
  await w.approve(hash, 'alice');
  await w.approve(hash, 'bob');
  const applied = await applyMigrations(w.applyInput([splitName]));
  assert.equal(applied.status, 'applied', JSON.stringify(applied.refusal));
  const rolledBack = await rollbackMigrations(w.rollbackInput([splitName]));
  assert.equal(rolledBack.status, 'rolled-back');
  assert.equal(rolledBack.migrations[0]!.counts.changed, 120);
  return { before, after: await w.checksum() };
}

for (const kind of selectedKinds().filter((k) => k === 'sqlite')) {
  describe(`the layout of the backups table on ${kind}`, () => {
    let w: MigrationWorld | undefined;
    afterEach(async () => w?.cleanup());

    test('backups is a rowid table; the user collection and the other ledger collections are not', async () => {
      w = await migrationWorld(kind);
      const { before, after } = await applyThenRollBack(w);
      assert.deepEqual(after, before);
      const backups = w.ledger.collection('backups') as SqliteCollection;
      assert.equal(withoutRowid(backups), false);
      assert.equal(withoutRowid(w.subjects.handle as SqliteCollection), true);
      for (const role of ['migrations', 'approvals'] as const)
        assert.equal(withoutRowid(w.ledger.collection(role) as SqliteCollection), true, role);
    });

    test('a backups table created WITHOUT ROWID by an older steward keeps its layout and serves apply and rollback', async () => {
      w = await migrationWorld(kind);
      const backups = w.ledger.collection('backups') as SqliteCollection;
      backups.db.exec(`DROP TABLE IF EXISTS ${backups.table}`);
      backups.db.exec(`CREATE TABLE ${backups.table} (k TEXT PRIMARY KEY, doc TEXT NOT NULL) WITHOUT ROWID`);
      const { before, after } = await applyThenRollBack(w);
      assert.deepEqual(after, before);
      assert.equal(withoutRowid(backups), true);
    });
  });
}
