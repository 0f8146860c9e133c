/**
 * kill -9 during apply and during rollback, at 20+ random points each: a child process runs the
 * stage in small, throttled batches and is SIGKILLed after a random number of batches plus a
 * random delay (so kills land between a before-image and its write, between a write and its
 * checkpoint, in the gates, in the census...). The next child resumes from the checkpoint. Each
 * time the stage completes: apply ends with the checksum of up() applied in memory to the
 * original documents, with exact counts and the original checksum recorded; rollback ends with
 * the original checksum exactly.
 *
 * Runs on SQLite, FerretDB and DynamoDB Local (STEWARD_CRASH_STORES overrides; intersected with
 * the selected stores). FerretDB 1.x reads the whole collection for every page, so it gets a
 * smaller collection in smaller batches: as many pages (and so as many kill points), a fraction
 * of the work. Each child is a bundle run by plain node (see `runWithKills`).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { planHashOf } from '../../src/migrations/apply/apply-plan.js';
import type { ApplyReport } from '../../src/migrations/apply/apply-report.js';
import { readChangelogRecord } from '../../src/migrations/changelog.js';
import { type CollectionChecksum, sameChecksum } from '../../src/migrations/collection-checksum.js';
import type { RollbackReport } from '../../src/migrations/rollback/rollback-report.js';
import type { StoreKind } from '../../src/stores/store.js';
import { crashKinds, runWithKills } from '../support/kill-loop.js';
import { allKinds } from '../support/test-stores.js';
import type { ChildArgs } from './fixtures/migrate-child.js';
import {
  expectedChecksum,
  type MigrationWorld,
  migrationWorld,
  splitName,
  worldAddress,
} from './fixtures/migration-world.js';

const child = new URL('./fixtures/migrate-child.ts', import.meta.url).pathname;
const kills = 22;
/** Documents and batch size per store: 50 pages per pass on SQLite and DynamoDB, 40 on FerretDB. */
const sizes: Record<StoreKind, { docs: number; batchSize: number }> = {
  sqlite: { docs: 500, batchSize: 10 },
  dynamodb: { docs: 500, batchSize: 10 },
  mongodb: { docs: 200, batchSize: 5 },
};
const stageOf = (kind: StoreKind) => ({
  canaryPercent: 20,
  batchSize: sizes[kind].batchSize,
  rate: 250,
  leaseTtlMs: 1000,
});

/** Runs the stage in children until one finishes, the first `kills` of them killed mid-run. */
function runStage<R>(w: MigrationWorld, action: ChildArgs['action']): Promise<{ report: R; killed: number }> {
  const args: ChildArgs = {
    action,
    address: worldAddress(w),
    contractsDir: w.contracts.dir,
    approvers: [...w.approvers.values()],
    ...stageOf(w.kind),
  };
  return runWithKills<R>({ script: child, args, kills, maxDelayMs: 40, label: action });
}

for (const kind of crashKinds(allKinds)) {
  const { docs } = sizes[kind];
  describe(`kill -9 during apply and rollback on ${kind}`, { timeout: 360_000 }, () => {
    let w: MigrationWorld;
    let original: CollectionChecksum;
    let seeded: Awaited<ReturnType<MigrationWorld['seed']>>;
    before(async () => {
      w = await migrationWorld(kind);
      seeded = await w.seed(docs, { atTarget: 25 });
      original = await w.checksum();
      const hash = planHashOf([splitName], w.target, stageOf(kind));
      await w.approve(hash, 'alice');
      await w.approve(hash, 'bob');
    });
    after(async () => w?.cleanup());

    test('apply resumes after every kill and ends at the expected checksum, counts exact', async () => {
      const { report, killed } = await runStage<ApplyReport>(w, 'apply');
      assert.ok(killed >= 20, `killed ${killed} times`);
      assert.equal(report.status, 'applied');
      const keyField = w.subjects.spec.keyField;
      assert.ok(sameChecksum(await w.contentChecksum(), expectedChecksum(seeded, [splitName], keyField)));
      const fresh = seeded.filter((d) => d.schemaVersion === 1).length;
      assert.deepEqual(
        [report.migrations[0]!.counts.changed, report.migrations[0]!.counts.skipped],
        [fresh, docs - fresh],
      );
      const record = await readChangelogRecord(w.ledger, splitName.id);
      assert.equal(record?.status, 'applied');
      assert.equal(record?.checksumsBefore.subjects, original.hash, 'the before checksum survived the kills');
    });

    test('rollback resumes after every kill and restores the original checksum exactly', async () => {
      const { report, killed } = await runStage<RollbackReport>(w, 'rollback');
      assert.ok(killed >= 20, `killed ${killed} times`);
      assert.equal(report.status, 'rolled-back');
      const m = report.migrations[0]!;
      assert.equal(m.exact, true);
      assert.equal(m.remainingAtTarget, 0);
      assert.ok(sameChecksum(await w.checksum(), original));
      assert.equal((await readChangelogRecord(w.ledger, splitName.id))?.status, 'rolled-back');
    });
  });
}
