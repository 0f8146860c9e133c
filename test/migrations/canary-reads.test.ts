/**
 * The canary pass reads only the canary's documents (`ScanOptions.sample`), and each pass sums the
 * before-checksum of the documents it selects: on every selected store, the whole before-checksum
 * still reaches the report, the changelog and rollback exactly, whether apply runs through, stops
 * at the canary's gates, or pauses in the rest pass (then resumes, or is rolled back).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { JsonObject } from '../../src/core/json.js';
import { applyMigrations } from '../../src/migrations/apply/apply-migrations.js';
import { planHashOf } from '../../src/migrations/apply/apply-plan.js';
import { inCanary } from '../../src/migrations/apply/canary.js';
import { readChangelogRecord } from '../../src/migrations/changelog.js';
import { type CollectionChecksum, sameChecksum } from '../../src/migrations/collection-checksum.js';
import type { Migration } from '../../src/migrations/migration.js';
import { rollbackMigrations } from '../../src/migrations/rollback/rollback-migrations.js';
import { selectedKinds } from '../support/test-stores.js';
import {
  expectedChecksum,
  type MigrationWorld,
  migrationWorld,
  splitName,
} from './fixtures/migration-world.js';

const options = { canaryPercent: 20, batchSize: 50 };

async function approveBoth(w: MigrationWorld, migrations: readonly Migration[]): Promise<string> {
  const hash = planHashOf(migrations, w.target, options);
  await w.approve(hash, 'alice');
  await w.approve(hash, 'bob');
  return hash;
}

/** Seeds `n` subjects: the documents and the collection's checksum as apply will find it. */
async function seeded(
  w: MigrationWorld,
  n: number,
): Promise<{ docs: JsonObject[]; original: CollectionChecksum }> {
  const docs = await w.seed(n);
  return { docs, original: await w.checksum() };
}

/** Aborts the run once the rest pass has written its first batch. */
function pauseInRest() {
  const abort = new AbortController();
  const onEvent = (e: { type: string; stage?: string; read?: number }) => {
    if (e.type === 'progress' && e.stage === 'rest' && (e.read ?? 0) > 0) abort.abort();
  };
  return { signal: abort.signal, onEvent };
}

for (const kind of selectedKinds()) {
  describe(`the canary pass reads only the canary on ${kind}`, () => {
    let w: MigrationWorld;
    before(async () => {
      w = await migrationWorld(kind);
    });
    after(async () => w?.cleanup());

    test('the canary pass reads the canary alone; the passes sum the whole before-checksum between them', async () => {
      const { docs, original } = await seeded(w, 300);
      const hash = await approveBoth(w, [splitName]);
      const keyField = w.subjects.spec.keyField;
      const canary = docs.filter((d) => inCanary(d[keyField] as string, hash, 20)).length;
      assert.ok(canary > 0 && canary < 300);
      const read = new Map<string, number>();
      const report = await applyMigrations(
        w.applyInput([splitName], {
          onEvent: (e) => {
            if (e.type === 'progress' && e.read !== undefined) read.set(e.stage, e.read);
          },
        }),
      );
      assert.equal(report.status, 'applied');
      assert.deepEqual(
        Object.fromEntries(read),
        { canary, rest: 300 },
        'the canary read once, the rest read all',
      );
      const m = report.migrations[0]!;
      assert.equal(m.counts.changed, 300);
      assert.deepEqual(m.checksumsBefore.subjects, original, 'the whole collection as it was');
      const record = await readChangelogRecord(w.ledger, splitName.id);
      assert.equal(record?.checksumsBefore.subjects, original.hash);
      assert.ok(sameChecksum(await w.checksum(), expectedChecksum(docs, [splitName], keyField)));
      assert.equal(record?.checksumsAfter.subjects, (await w.checksum()).hash);
    });
  });

  describe(`a failed canary gate on ${kind}`, () => {
    let w: MigrationWorld;
    before(async () => {
      w = await migrationWorld(kind);
    });
    after(async () => w?.cleanup());

    const never: Migration = {
      ...splitName,
      validators: {
        after: [{ kind: 'query', name: 'never', collection: 'subjects', check: () => 'no' }],
      },
    };

    test('records the whole before-checksum, read where no pass summed it; rollback is exact', async () => {
      const { original } = await seeded(w, 200);
      await approveBoth(w, [never]);
      const stopped = await applyMigrations(w.applyInput([never]));
      assert.equal(stopped.status, 'gate-failed');
      assert.deepEqual(
        stopped.migrations[0]!.gates.filter((g) => !g.ok).map((g) => [g.gate, g.stage]),
        [['validators', 'canary']],
      );
      assert.deepEqual(stopped.migrations[0]!.checksumsBefore.subjects, original);
      const record = await readChangelogRecord(w.ledger, never.id);
      assert.equal(record?.checksumsBefore.subjects, original.hash, 'the whole collection as it was');
      const rollback = await rollbackMigrations(w.rollbackInput([never]));
      assert.equal(rollback.status, 'rolled-back');
      assert.equal(rollback.migrations[0]?.exact, true);
      assert.ok(sameChecksum(await w.checksum(), original));
    });
  });

  describe(`a pause in the rest pass on ${kind}`, () => {
    let w: MigrationWorld;
    before(async () => {
      w = await migrationWorld(kind);
    });
    after(async () => w?.cleanup());

    test('then a rollback: the changelog holds the whole before-checksum, the rollback is exact', async () => {
      const { original } = await seeded(w, 300);
      await approveBoth(w, [splitName]);
      const paused = await applyMigrations(w.applyInput([splitName], pauseInRest()));
      assert.equal(paused.status, 'paused');
      assert.ok(
        (await w.docs()).some((d) => d.schemaVersion === 1),
        'the rest is not done',
      );
      assert.deepEqual(paused.migrations[0]!.checksumsBefore.subjects, original);
      const record = await readChangelogRecord(w.ledger, splitName.id);
      assert.equal(record?.checksumsBefore.subjects, original.hash);
      const rollback = await rollbackMigrations(w.rollbackInput([splitName]));
      assert.equal(rollback.status, 'rolled-back');
      assert.equal(rollback.migrations[0]?.exact, true);
      assert.ok(sameChecksum(await w.checksum(), original));
    });
  });

  describe(`a pause in the rest pass, resumed, on ${kind}`, () => {
    let w: MigrationWorld;
    before(async () => {
      w = await migrationWorld(kind);
    });
    after(async () => w?.cleanup());

    test('the resumed run sums the same before-checksum and ends where an uninterrupted run does', async () => {
      const { docs, original } = await seeded(w, 300);
      await approveBoth(w, [splitName]);
      const paused = await applyMigrations(w.applyInput([splitName], pauseInRest()));
      assert.equal(paused.status, 'paused');
      const done = await applyMigrations(w.applyInput([splitName]));
      assert.equal(done.status, 'applied');
      assert.equal(done.resumed, true);
      assert.equal(done.migrations[0]!.counts.changed, 300);
      assert.deepEqual(done.migrations[0]!.checksumsBefore.subjects, original);
      const record = await readChangelogRecord(w.ledger, splitName.id);
      assert.equal(record?.checksumsBefore.subjects, original.hash);
      const keyField = w.subjects.spec.keyField;
      assert.ok(sameChecksum(await w.checksum(), expectedChecksum(docs, [splitName], keyField)));
      assert.equal(record?.checksumsAfter.subjects, (await w.checksum()).hash);
    });
  });
}
