/**
 * Which approvals let `applyMigrations` go, on every selected store: only approvals of the plan
 * and of its latest dry run, recorded in the ledger, which must have passed (the rule signing
 * shares: `assertMigrationSubject`); and each approval authorises one run: after a rollback the
 * same plan needs new approvals, unless the policy says `reuseAfterRollback`, which the report
 * states. A paused run that resumes is the same run, and keeps its approvals.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { listApprovals } from '../../src/approvals/approval-ledger.js';
import { isStewardError } from '../../src/errors/steward-error.js';
import { applyMigrations } from '../../src/migrations/apply/apply-migrations.js';
import { planHashOf } from '../../src/migrations/apply/apply-plan.js';
import { sameChecksum } from '../../src/migrations/collection-checksum.js';
import {
  assertMigrationSubject,
  migrationApprovalSubject,
  migrationsApprovalKind,
} from '../../src/migrations/plan/plan-approvals.js';
import { latestDryRun } from '../../src/migrations/report/dry-run-record.js';
import { rollbackMigrations } from '../../src/migrations/rollback/rollback-migrations.js';
import { selectedKinds } from '../support/test-stores.js';
import { type MigrationWorld, migrationWorld, splitName } from './fixtures/migration-world.js';

const options = { canaryPercent: 20, batchSize: 50 };
const zeros = '0'.repeat(64);

async function approveBoth(w: MigrationWorld, hash: string, reportHash?: string): Promise<void> {
  for (const who of ['alice', 'bob']) await w.approve(hash, who, reportHash ? { reportHash } : {});
}

async function rollBack(w: MigrationWorld): Promise<void> {
  const report = await rollbackMigrations(w.rollbackInput([splitName]));
  assert.equal(report.status, 'rolled-back');
}

for (const kind of selectedKinds()) {
  describe(`apply takes approvals of the latest passed dry run only, on ${kind}`, () => {
    let w: MigrationWorld;
    let hash: string;
    before(async () => {
      w = await migrationWorld(kind);
      await w.seed(80);
      hash = planHashOf([splitName], w.target, options);
    });
    after(async () => w?.cleanup());

    test('a failed latest dry run refuses apply, whatever was approved before it', async () => {
      const original = await w.checksum();
      await w.recordDryRun(hash);
      await approveBoth(w, hash);
      const failed = await w.recordDryRun(hash, false);
      const report = await applyMigrations(w.applyInput([splitName]));
      assert.equal(report.status, 'refused');
      assert.equal(report.refusal?.reason, 'dry-run');
      assert.match(report.refusal!.message, /the latest dry run of plan [0-9a-f]{64} .* failed/);
      // Approvals of the failed report itself, or of a report no dry run made, do not help either.
      await approveBoth(w, hash, failed.reportHash);
      await approveBoth(w, hash, zeros);
      const again = await applyMigrations(w.applyInput([splitName]));
      assert.equal(again.refusal?.reason, 'dry-run');
      assert.ok(sameChecksum(await w.checksum(), original), 'nothing was written');
    });

    test('signing refuses what apply would refuse: a failed report, a made-up one, another plan', async () => {
      const failed = (await latestDryRun(w.ledger, hash))!;
      assert.equal(failed.ok, false);
      const refusal = (subject: string) => (e: unknown) =>
        isStewardError(e, 'usage') && e.message.startsWith(`cannot approve ${subject}: `) ? true : e;
      const ofFailed = migrationApprovalSubject(hash, failed.reportHash);
      await assert.rejects(assertMigrationSubject(w.ledger, ofFailed, hash), refusal(ofFailed));
      await assert.rejects(assertMigrationSubject(w.ledger, ofFailed, hash), /failed: fix the migration/);
      const madeUp = migrationApprovalSubject(hash, zeros);
      await assert.rejects(
        assertMigrationSubject(w.ledger, madeUp, hash),
        /is not the latest dry run of plan/,
      );
      await assert.rejects(
        assertMigrationSubject(w.ledger, migrationApprovalSubject('f'.repeat(64), zeros), hash),
        /f{64} is not the current plan/,
      );
      await assert.rejects(assertMigrationSubject(w.ledger, hash, hash), /not a migration approval subject/);
      const passed = await w.recordDryRun(hash);
      const record = await assertMigrationSubject(
        w.ledger,
        migrationApprovalSubject(hash, passed.reportHash),
        hash,
      );
      assert.equal(record.reportHash, passed.reportHash);
    });

    test('after a new passed dry run, approvals of an earlier report do not count; of the latest they do', async () => {
      const stale = await applyMigrations(w.applyInput([splitName]));
      assert.equal(stale.refusal?.reason, 'approvals');
      assert.match(
        stale.refusal!.problems.join('\n'),
        /\d+ approval\(s\) of this plan approve another dry run than the latest \(report [0-9a-f]{64}\): they do not count/,
      );
      const latest = (await latestDryRun(w.ledger, hash))!;
      await approveBoth(w, hash);
      const report = await applyMigrations(w.applyInput([splitName]));
      assert.equal(report.status, 'applied', JSON.stringify(report.refusal));
      assert.equal(report.approvals?.reportHash, latest.reportHash);
      assert.deepEqual(report.approvals?.approvedBy, ['alice', 'bob']);
    });
  });

  describe(`an approval authorises one apply on ${kind}`, () => {
    let w: MigrationWorld;
    let hash: string;
    before(async () => {
      w = await migrationWorld(kind);
      await w.seed(90);
      hash = planHashOf([splitName], w.target, options);
    });
    after(async () => w?.cleanup());

    test('the approvals an apply went on are used up: after a rollback, apply is refused until new ones', async () => {
      const original = await w.checksum();
      await approveBoth(w, hash);
      const first = await applyMigrations(w.applyInput([splitName]));
      assert.equal(first.status, 'applied', JSON.stringify(first.refusal));
      assert.equal(first.approvals?.used.length, 2);
      assert.deepEqual(first.approvals?.reused, []);
      const stored = await listApprovals(w.ledger);
      assert.deepEqual(
        stored.map((a) => a.used?.usedBy),
        [first.approvals!.run, first.approvals!.run],
        'the ledger records who used them',
      );
      await rollBack(w);
      for (let i = 0; i < 3; i++) {
        const again = await applyMigrations(w.applyInput([splitName]));
        assert.equal(again.status, 'refused', `re-apply ${i + 1} after the rollback`);
        assert.equal(again.refusal?.reason, 'approvals');
        assert.match(
          again.refusal!.problems.join('\n'),
          /alice's approval was used up by run apply-.* at .*; an approval authorises one run: sign again/,
        );
      }
      assert.ok(sameChecksum(await w.checksum(), original), 'the refused re-applies wrote nothing');
      await approveBoth(w, hash);
      const second = await applyMigrations(w.applyInput([splitName]));
      assert.equal(second.status, 'applied', JSON.stringify(second.refusal));
      assert.notEqual(second.approvals?.run, first.approvals?.run);
      assert.equal(second.approvals?.used.filter((id) => first.approvals!.used.includes(id)).length, 0);
    });

    test('reuseAfterRollback lets the same approvals apply again, and the report says so', async () => {
      await rollBack(w);
      const policies = new Map([
        [migrationsApprovalKind, { required: 2, includeOwner: true, reuseAfterRollback: true }],
      ]);
      const report = await applyMigrations(w.applyInput([splitName], { approvalPolicies: policies }));
      assert.equal(report.status, 'applied', JSON.stringify(report.refusal));
      assert.equal(report.approvals?.reused.length, 2);
      assert.deepEqual([...report.approvals!.reused].sort(), [...report.approvals!.used].sort());
    });
  });

  describe(`a resumed apply is the same run and keeps its approvals on ${kind}`, () => {
    let w: MigrationWorld;
    before(async () => {
      w = await migrationWorld(kind);
    });
    after(async () => w?.cleanup());

    test('paused after a batch, the rerun resumes on the approvals it used', async () => {
      await w.seed(200);
      await approveBoth(w, planHashOf([splitName], w.target, options));
      const abort = new AbortController();
      const paused = await applyMigrations(
        w.applyInput([splitName], {
          signal: abort.signal,
          onEvent: (e) => {
            if (e.type === 'progress') abort.abort();
          },
        }),
      );
      assert.equal(paused.status, 'paused');
      const done = await applyMigrations(w.applyInput([splitName]));
      assert.equal(done.status, 'applied', JSON.stringify(done.refusal));
      assert.equal(done.resumed, true);
      assert.equal(done.approvals?.run, paused.approvals?.run);
      assert.deepEqual(done.approvals?.used, paused.approvals?.used);
    });
  });
}
