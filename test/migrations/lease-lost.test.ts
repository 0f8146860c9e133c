/**
 * A `migrate apply` that loses its lease mid-run, on every selected store: another holder takes
 * the `migrate` lease over (its clock says the lease expired). Apply ends with the typed
 * `lease.lost` error (exit 1 in the CLI) saying what happened and how to resume, and a rerun once
 * the lease is free resumes the same run to the same end as an uninterrupted one.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ExitCode, isStewardError, StewardError } from '../../src/errors/steward-error.js';
import type { Lease } from '../../src/ledger/lease.js';
import { applyMigrations } from '../../src/migrations/apply/apply-migrations.js';
import { planHashOf } from '../../src/migrations/apply/apply-plan.js';
import { sameChecksum } from '../../src/migrations/collection-checksum.js';
import { selectedKinds } from '../support/test-stores.js';
import {
  expectedChecksum,
  type MigrationWorld,
  migrationWorld,
  splitName,
} from './fixtures/migration-world.js';

const options = { canaryPercent: 20, batchSize: 50 };

test('lease.lost is exit 1, like lease.held: the job stopped at a checkpoint, not a bug', () => {
  assert.equal(new StewardError('lease.lost', 'lost').exitCode, ExitCode.findings);
});

for (const kind of selectedKinds()) {
  describe(`migrate apply losing its lease on ${kind}`, () => {
    let w: MigrationWorld;
    before(async () => {
      w = await migrationWorld(kind);
    });
    after(async () => w?.cleanup());

    test('another holder takes the lease mid-apply: lease.lost saying how to resume; the rerun resumes', async () => {
      const docs = await w.seed(300);
      const hash = planHashOf([splitName], w.target, options);
      await w.approve(hash, 'alice');
      await w.approve(hash, 'bob');
      let thief: Promise<Lease> | undefined;
      const run = applyMigrations(
        w.applyInput([splitName], {
          leaseTtlMs: 900,
          settings: { maxErrorRate: 0, rate: 100 },
          onEvent: (e) => {
            // A holder whose clock is an hour ahead sees the lease expired, and takes it.
            if (e.type === 'progress' && !thief)
              thief = w.ledger.acquireLease({
                name: 'migrate',
                holder: 'thief',
                ttlMs: 60_000,
                clock: () => Date.now() + 3_600_000,
              });
          },
        }),
      );
      await assert.rejects(run, (e: unknown) => {
        assert.ok(isStewardError(e, 'lease.lost'), String(e));
        assert.equal(e.exitCode, ExitCode.findings);
        assert.match(
          e.message,
          /^migrate apply stopped: it lost the "migrate" lease \(lease "migrate" .*\d\)\. /,
        );
        assert.match(e.message, /This run stopped at its next checkpoint/);
        assert.match(e.message, /run `steward migrate apply` again to resume\.$/);
        return true;
      });
      assert.ok(thief, 'the lease was taken during the run');
      await (await thief).release();
      const resumed = await applyMigrations(w.applyInput([splitName]));
      assert.equal(resumed.status, 'applied', JSON.stringify(resumed.refusal));
      assert.equal(resumed.resumed, true);
      assert.equal(resumed.migrations[0]!.counts.changed, 300);
      const keyField = w.subjects.spec.keyField;
      assert.ok(sameChecksum(await w.contentChecksum(), expectedChecksum(docs, [splitName], keyField)));
    });
  });
}
