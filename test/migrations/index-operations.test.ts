/**
 * A migration's `create-index` and `drop-index` operations: apply runs them through the store
 * seam and rollback undoes them exactly (drops what apply created, re-creates what it dropped as
 * it was defined, keeps what was there before). On a store without secondary indexes (DynamoDB),
 * apply refuses the plan before changing anything.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { applyMigrations } from '../../src/migrations/apply/apply-migrations.js';
import { planHashOf } from '../../src/migrations/apply/apply-plan.js';
import type { ApplyReport } from '../../src/migrations/apply/apply-report.js';
import { readChangelog } from '../../src/migrations/changelog.js';
import type { CollectionOperation, Migration } from '../../src/migrations/migration.js';
import { pendingMigrations } from '../../src/migrations/migration-plan.js';
import { rollbackMigrations } from '../../src/migrations/rollback/rollback-migrations.js';
import type { IndexInfo } from '../../src/stores/store.js';
import { selectedKinds } from '../support/test-stores.js';
import { type MigrationWorld, migrationWorld, splitName } from './fixtures/migration-world.js';

const options = { canaryPercent: 20, batchSize: 50 };

/** splitName with these operations, under its own id. */
function withOperations(id: string, operations: readonly CollectionOperation[]): Migration {
  return { ...splitName, id, file: `${id}.migration.ts`, checksum: `c-${id}`, operations };
}

async function approveAndApply(w: MigrationWorld, migrations: readonly Migration[]): Promise<ApplyReport> {
  const { pending } = pendingMigrations(migrations, await readChangelog(w.ledger));
  const hash = planHashOf(pending, w.target, options);
  await w.approve(hash, 'alice');
  await w.approve(hash, 'bob');
  return applyMigrations(w.applyInput(migrations));
}

async function indexNamed(w: MigrationWorld, name: string): Promise<IndexInfo | undefined> {
  return (await w.subjects.handle.listIndexes()).find((index) => index.name === name);
}

/** A fresh world with 60 subjects for one test, cleaned up after it whatever happens. */
async function inWorld(
  kind: Parameters<typeof migrationWorld>[0],
  run: (w: MigrationWorld) => Promise<void>,
) {
  const w = await migrationWorld(kind);
  try {
    await w.seed(60);
    await run(w);
  } finally {
    await w.cleanup();
  }
}

for (const kind of selectedKinds()) {
  describe(`index operations of migrations on ${kind}`, () => {
    if (kind === 'dynamodb') {
      test('apply refuses the plan before changing anything: the store has no indexes', async () => {
        await inWorld(kind, async (w) => {
          const before = await w.checksum();
          const migration = withOperations('010-index', [
            { kind: 'create-index', collection: 'subjects', name: 'by_kind', fields: ['kind'] },
          ]);
          const report = await applyMigrations(w.applyInput([migration]));
          assert.equal(report.status, 'refused');
          assert.equal(report.refusal?.reason, 'operations');
          const problem = report.refusal?.problems.join('\n') ?? '';
          assert.match(problem, /010-index: create-index subjects\.by_kind/);
          assert.match(problem, /global secondary index/);
          assert.deepEqual(await readChangelog(w.ledger), []);
          assert.equal((await w.checksum()).hash, before.hash, 'no document was changed');
        });
      });
      return;
    }

    test('create-index is created by apply and dropped by rollback', async () => {
      await inWorld(kind, async (w) => {
        const migration = withOperations('010-index', [
          { kind: 'create-index', collection: 'subjects', name: 'by_kind', fields: ['kind', 'name.last'] },
        ]);
        const applied = await approveAndApply(w, [migration]);
        assert.equal(applied.status, 'applied', JSON.stringify(applied.refusal));
        assert.deepEqual(applied.migrations[0]?.operations, [
          {
            operation: 'create-index subjects.by_kind (kind, name.last)',
            status: 'done',
            note: 'created (kind, name.last)',
          },
        ]);
        assert.deepEqual(await indexNamed(w, 'by_kind'), {
          name: 'by_kind',
          fields: ['kind', 'name.last'],
          unique: false,
        });
        const rolled = await rollbackMigrations(w.rollbackInput([migration]));
        assert.equal(rolled.status, 'rolled-back');
        assert.deepEqual(
          rolled.migrations[0]?.operations.map((o) => [o.status, o.note]),
          [['done', 'dropped index by_kind']],
        );
        assert.equal(await indexNamed(w, 'by_kind'), undefined);
      });
    });

    test('drop-index is dropped by apply and re-created by rollback as it was defined', async () => {
      await inWorld(kind, async (w) => {
        await w.subjects.handle.createIndex({ name: 'by_name', fields: ['name'], unique: true });
        const defined = await indexNamed(w, 'by_name');
        assert.deepEqual(defined, { name: 'by_name', fields: ['name'], unique: true });
        const migration = withOperations('011-drop', [
          { kind: 'drop-index', collection: 'subjects', name: 'by_name' },
        ]);
        const applied = await approveAndApply(w, [migration]);
        assert.equal(applied.status, 'applied', JSON.stringify(applied.refusal));
        assert.equal(applied.migrations[0]?.operations[0]?.note, 'dropped; was (name) unique');
        assert.equal(await indexNamed(w, 'by_name'), undefined);
        const rolled = await rollbackMigrations(w.rollbackInput([migration]));
        assert.equal(rolled.status, 'rolled-back');
        assert.deepEqual(await indexNamed(w, 'by_name'), defined);
      });
    });

    test('rollback undoes several operations on one name in reverse, keeping what was there before', async () => {
      await inWorld(kind, async (w) => {
        await w.subjects.handle.createIndex({ name: 'by_kind', fields: ['kind'] });
        const migration = withOperations('012-redefine', [
          { kind: 'create-index', collection: 'subjects', name: 'by_kind', fields: ['kind'] },
          { kind: 'drop-index', collection: 'subjects', name: 'by_kind' },
          { kind: 'create-index', collection: 'subjects', name: 'by_kind', fields: ['name'], unique: true },
        ]);
        const applied = await approveAndApply(w, [migration]);
        assert.equal(applied.status, 'applied', JSON.stringify(applied.refusal));
        assert.deepEqual(
          applied.migrations[0]?.operations.map((o) => o.note),
          ['already there', 'dropped; was (kind)', 'created (name) unique'],
        );
        assert.deepEqual(await indexNamed(w, 'by_kind'), { name: 'by_kind', fields: ['name'], unique: true });
        const rolled = await rollbackMigrations(w.rollbackInput([migration]));
        assert.equal(rolled.status, 'rolled-back');
        assert.deepEqual(
          rolled.migrations[0]?.operations.map((o) => [o.status, o.note]),
          [
            ['done', 'dropped index by_kind'],
            ['done', 're-created by_kind (kind)'],
            ['skipped', 'the index was there before apply: kept'],
          ],
        );
        assert.deepEqual(await indexNamed(w, 'by_kind'), {
          name: 'by_kind',
          fields: ['kind'],
          unique: false,
        });
      });
    });

    test('a create-index whose name is taken by another definition is refused at plan time', async () => {
      await inWorld(kind, async (w) => {
        await w.subjects.handle.createIndex({ name: 'by_kind', fields: ['name'] });
        const migration = withOperations('013-taken', [
          { kind: 'create-index', collection: 'subjects', name: 'by_kind', fields: ['kind'] },
        ]);
        const report = await applyMigrations(w.applyInput([migration]));
        assert.equal(report.status, 'refused');
        assert.equal(report.refusal?.reason, 'operations');
        assert.match(report.refusal?.problems.join('\n') ?? '', /already has an index "by_kind" on \(name\)/);
        assert.deepEqual(await readChangelog(w.ledger), []);
      });
    });
  });
}
