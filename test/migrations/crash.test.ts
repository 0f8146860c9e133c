/**
 * kill -9 during apply and during rollback, at 20+ random points each: a child process runs the
 * stage in small, throttled batches and is SIGKILLed after a random number of batches plus a
 * random delay (so kills land between a before-image and its write, between a write and its
 * checkpoint, in the gates, in the census...). The next child resumes from the checkpoint. Each
 * time the stage completes: apply ends with the checksum of up() applied in memory to the
 * original documents, with exact counts and the original checksum recorded; rollback ends with
 * the original checksum exactly.
 *
 * Runs on SQLite and DynamoDB Local (STEWARD_CRASH_STORES overrides; intersected with the
 * selected stores). About a minute or two per store.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { planHashOf } from '../../src/migrations/apply/apply-plan.js';
import type { ApplyReport } from '../../src/migrations/apply/apply-report.js';
import { readChangelogRecord } from '../../src/migrations/changelog.js';
import { type CollectionChecksum, sameChecksum } from '../../src/migrations/collection-checksum.js';
import type { RollbackReport } from '../../src/migrations/rollback/rollback-report.js';
import type { StoreKind } from '../../src/stores/store.js';
import { selectedKinds } from '../support/test-stores.js';
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
const docs = 500;
const stage = { canaryPercent: 20, batchSize: 10, rate: 250, leaseTtlMs: 1000 };

function crashKinds(): StoreKind[] {
  const wanted = (process.env.STEWARD_CRASH_STORES ?? 'sqlite,dynamodb').split(',').map((s) => s.trim());
  return selectedKinds().filter((k) => wanted.includes(k));
}

/** A random integer in [min, max]. */
const between = (min: number, max: number) => min + Math.floor(Math.random() * (max - min + 1));

/**
 * Runs the stage in children until one finishes: the first `kills` children are killed after
 * 1 to 3 batches plus up to 40 ms; the rest run to the end. Returns the final report and how
 * many children were killed.
 */
async function runWithKills<R>(
  w: MigrationWorld,
  action: ChildArgs['action'],
): Promise<{ report: R; killed: number }> {
  const args: ChildArgs = {
    action,
    address: worldAddress(w),
    contractsDir: w.contracts.dir,
    approvers: [...w.approvers.values()],
    ...stage,
  };
  let killed = 0;
  for (;;) {
    const proc = spawn(process.execPath, ['--import', 'tsx', child, JSON.stringify(args)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const exited = once(proc, 'exit');
    const lines = createInterface({ input: proc.stdout! });
    const killAfter = killed < kills ? between(1, 3) : Number.POSITIVE_INFINITY;
    let seen = 0;
    let report: R | undefined;
    for await (const line of lines) {
      const parsed = JSON.parse(line) as { progress?: number; report?: R };
      if (parsed.report) report = parsed.report;
      if (parsed.progress !== undefined && ++seen === killAfter) {
        await sleep(between(0, 40));
        proc.kill('SIGKILL');
        break;
      }
    }
    const [code, signal] = (await exited) as [number | null, string | null];
    if (signal === 'SIGKILL' && !report) {
      killed++;
      continue;
    }
    assert.equal(code, 0, `the ${action} child failed`);
    assert.ok(report, `the ${action} child printed its report`);
    return { report, killed };
  }
}

for (const kind of crashKinds()) {
  describe(`kill -9 during apply and rollback on ${kind}`, { timeout: 360_000 }, () => {
    let w: MigrationWorld;
    let original: CollectionChecksum;
    let seeded: Awaited<ReturnType<MigrationWorld['seed']>>;
    before(async () => {
      w = await migrationWorld(kind);
      seeded = await w.seed(docs, { atTarget: 25 });
      original = await w.checksum();
      const hash = planHashOf([splitName], w.target, stage);
      await w.approve(hash, 'alice');
      await w.approve(hash, 'bob');
    });
    after(async () => w?.cleanup());

    test('apply resumes after every kill and ends at the expected checksum, counts exact', async () => {
      const { report, killed } = await runWithKills<ApplyReport>(w, 'apply');
      assert.ok(killed >= 20, `killed ${killed} times`);
      assert.equal(report.status, 'applied');
      const keyField = w.subjects.spec.keyField;
      assert.ok(sameChecksum(await w.checksum(), expectedChecksum(seeded, [splitName], keyField)));
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
      const { report, killed } = await runWithKills<RollbackReport>(w, 'rollback');
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
