/**
 * `applyMigrations` on every selected store: canary then rest, before-images, changelog, audit and
 * checksums; gates that stop (and `--resume` past them, or an automatic rollback); a pause that
 * resumes; and every refusal: no approvals, one of two, expired, forged, plan changed since
 * approval, a migration edited after it was applied, a second applier while the lease is held.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { isStewardError } from '../../src/errors/steward-error.js';
import { applyMigrations } from '../../src/migrations/apply/apply-migrations.js';
import { planHashOf } from '../../src/migrations/apply/apply-plan.js';
import { inCanary } from '../../src/migrations/apply/canary.js';
import type { MigrationTarget } from '../../src/migrations/apply/migration-target.js';
import { readChangelog, readChangelogRecord } from '../../src/migrations/changelog.js';
import { sameChecksum } from '../../src/migrations/collection-checksum.js';
import type { Migration } from '../../src/migrations/migration.js';
import { pendingMigrations } from '../../src/migrations/migration-plan.js';
import { scanDocuments } from '../../src/stores/scan-pages.js';
import { selectedKinds } from '../support/test-stores.js';
import {
  addTags,
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

async function auditActions(w: MigrationWorld): Promise<string[]> {
  const out: string[] = [];
  for await (const r of w.ledger.audit.records()) out.push(r.action);
  return out;
}

for (const kind of selectedKinds()) {
  describe(`migrate apply on ${kind}`, () => {
    let w: MigrationWorld;
    before(async () => {
      w = await migrationWorld(kind);
    });
    after(async () => w?.cleanup());

    test('applies the canary, then the rest, with before-images, changelog, audit and checksums', async () => {
      const docs = await w.seed(240, { atTarget: 40 });
      const original = await w.checksum();
      const hash = await approveBoth(w, [splitName]);
      const report = await applyMigrations(w.applyInput([splitName]));
      assert.equal(report.status, 'applied', JSON.stringify(report.refusal));
      assert.equal(report.planHash, hash);
      const m = report.migrations[0]!;
      const keyField = w.subjects.spec.keyField;
      const fresh = docs.filter((d) => d.schemaVersion === 1);
      const canary = fresh.filter((d) => inCanary(d[keyField] as string, hash, 20));
      assert.deepEqual(m.counts, {
        changed: fresh.length,
        skipped: docs.length - fresh.length,
        failed: 0,
        canary: canary.length,
      });
      assert.ok(canary.length > 10 && canary.length < fresh.length / 2, 'the canary is about a fifth');
      assert.ok(m.gates.every((g) => g.ok));
      assert.ok(
        sameChecksum(m.checksumsBefore.subjects!, original),
        'the canary pass summed the original checksum',
      );
      const now = await w.checksum();
      assert.ok(sameChecksum(await w.contentChecksum(), expectedChecksum(docs, [splitName], keyField)));
      assert.ok(sameChecksum(m.checksumsAfter!.subjects!, now));
      for await (const doc of scanDocuments(w.subjects.handle)) assert.equal(doc.schemaVersion, 2);

      const record = await readChangelogRecord(w.ledger, splitName.id);
      assert.equal(record?.status, 'applied');
      assert.equal(record?.phase, 'done');
      assert.equal(record?.checksumsBefore.subjects, original.hash);
      assert.equal(record?.checksumsAfter.subjects, now.hash);
      const actions = await auditActions(w);
      for (const action of [
        'migrate.apply.started',
        'migration.apply.started',
        'migration.canary',
        'migration.gates',
        'migration.applied',
      ])
        assert.ok(actions.includes(action), action);

      const again = await applyMigrations(w.applyInput([splitName]));
      assert.equal(again.status, 'nothing-pending');
    });

    test('a migration edited after it was applied refuses the next plan', async () => {
      const edited = { ...splitName, checksum: 'c-001-edited' };
      const report = await applyMigrations(w.applyInput([edited, addTags]));
      assert.equal(report.status, 'refused');
      assert.equal(report.refusal?.reason, 'changelog');
      assert.match(report.refusal!.problems.join('\n'), /001-split-name .*changed after it was applied/);
    });

    test('refuses without approvals, with one of two, expired, forged, and after the plan changed', async () => {
      const plan = [splitName, addTags];
      const { pending } = pendingMigrations(plan, await readChangelog(w.ledger));
      const hash = planHashOf(pending, w.target, options);
      const refused = async () => (await applyMigrations(w.applyInput(plan))).refusal;

      assert.equal((await refused())?.reason, 'dry-run', 'no dry run, so no approval can count');
      await w.recordDryRun(hash);
      assert.equal((await refused())?.reason, 'approvals', 'no approvals');
      await w.approve(hash, 'alice');
      const one = await refused();
      assert.equal(one?.reason, 'approvals', 'one of two');
      assert.match(one!.problems.join('\n'), /2 approval\(s\) by distinct approvers needed, 1 valid/);
      await w.approve(hash, 'bob', { expiresInMs: -60_000 });
      assert.match((await refused())!.problems.join('\n'), /bob's approval expired/);
      await w.approve(hash, 'bob', { role: 'owner' });
      assert.match((await refused())!.problems.join('\n'), /"owner", a role the config does not give them/);

      // A forged approval: bob's fields, signed with alice's key.
      const approvals = await import('../../src/approvals/approval-ledger.js');
      const mine = (await approvals.listApprovals(w.ledger)).find(
        (a) => a.approver === 'alice' && a.subject.startsWith(hash),
      )!;
      await approvals.recordApproval(
        w.ledger,
        { ...mine, approver: 'bob', role: 'dba' },
        new Date().toISOString(),
      );
      assert.match((await refused())!.problems.join('\n'), /signature of bob's approval does not verify/);

      const changed = [splitName, { ...addTags, checksum: 'c-002-edited' }];
      await w.approve(hash, 'bob');
      const moved = (await applyMigrations(w.applyInput(changed))).refusal;
      assert.equal(moved?.reason, 'plan-changed');
      assert.equal(await readChangelogRecord(w.ledger, addTags.id), undefined, 'nothing was applied');

      const ok = await applyMigrations(w.applyInput(plan));
      assert.equal(ok.status, 'applied', JSON.stringify(ok.refusal));
      const actions = await auditActions(w);
      assert.ok(actions.filter((a) => a === 'migrate.apply.refused').length >= 5);
    });

    test('a second applier is refused while the lease is held', async () => {
      const lease = await w.ledger.acquireLease({ name: 'migrate', holder: 'someone-else', ttlMs: 60_000 });
      try {
        await assert.rejects(applyMigrations(w.applyInput([splitName, addTags])), (e) =>
          isStewardError(e, 'lease.held'),
        );
      } finally {
        await lease.release();
      }
    });
  });

  describe(`migrate apply gates on ${kind}`, () => {
    let w: MigrationWorld;
    before(async () => {
      w = await migrationWorld(kind);
    });
    after(async () => w?.cleanup());

    // Fails the gate for documents whose first name ends in `digit`. The canary is a fifth of the
    // documents by a hash of the plan, whose collection names differ from run to run, so a canary
    // without any of the 20 documents ending in 7 came up about once in 90 runs (CI saw it): the
    // test picks, once the plan's hash is known, a digit some canary document ends in.
    let digit = '7';
    const picky: Migration = {
      ...splitName,
      validators: {
        after: [
          {
            kind: 'query',
            name: 'no-digit',
            collection: 'subjects',
            check: (doc) =>
              String((doc.name as { first?: string }).first).endsWith(digit) ? `ends in ${digit}` : undefined,
          },
          { kind: 'conforms', name: 'conforms', collection: 'subjects' },
        ],
      },
    };

    test('a failed canary gate stops before the rest and waits; --resume goes on past it', async () => {
      const seeded = await w.seed(200);
      const hash = await approveBoth(w, [picky]);
      const keyField = w.subjects.spec.keyField;
      const canaryKeys = seeded.map((doc) => doc[keyField] as string).filter((k) => inCanary(k, hash, 20));
      digit = ['7', '3', '1', '9', '5', '0', '2', '4', '6', '8'].find((d) =>
        canaryKeys.some((k) => k.endsWith(d)),
      )!;
      assert.ok(digit, 'the canary holds documents');
      const stopped = await applyMigrations(w.applyInput([picky]));
      assert.equal(stopped.status, 'gate-failed');
      const gates = stopped.migrations[0]!.gates;
      assert.deepEqual(
        gates.map((g) => [g.gate, g.ok]),
        [
          ['validators', false],
          ['parity', true],
          ['error-rate', true],
          ['contract', true],
        ],
      );
      assert.match(gates[0]!.problems.join('\n'), new RegExp(`no-digit: "s\\d+${digit}": ends in ${digit}`));
      for (const doc of await w.docs())
        assert.equal(
          doc.schemaVersion,
          inCanary(doc[keyField] as string, hash, 20) ? 2 : 1,
          'only the canary moved',
        );
      const record = await readChangelogRecord(w.ledger, picky.id);
      assert.deepEqual(
        [record?.status, record?.phase, record?.failedGates],
        ['applying', 'gate-failed', ['validators']],
      );

      const waiting = await applyMigrations(w.applyInput([picky]));
      assert.equal(waiting.refusal?.reason, 'awaiting-decision');
      const resumed = await applyMigrations(w.applyInput([picky], { resume: true }));
      assert.equal(resumed.status, 'applied');
      assert.equal(resumed.resumed, true);
      assert.equal(resumed.migrations[0]!.counts.changed, 200);
    });
  });

  describe(`migrate apply failures and automatic rollback on ${kind}`, () => {
    let w: MigrationWorld;
    before(async () => {
      w = await migrationWorld(kind);
    });
    after(async () => w?.cleanup());

    const brittle: Migration = {
      ...splitName,
      up: (doc) => {
        if (String(doc.name).startsWith('First13 ')) throw new Error('no thirteens');
        return splitName.up(doc);
      },
    };

    test('documents up() fails on are listed with key and reason, within the allowed error rate', async () => {
      await w.seed(150);
      await approveBoth(w, [brittle]);
      const report = await applyMigrations(w.applyInput([brittle], { settings: { maxErrorRate: 0.2 } }));
      assert.equal(report.status, 'applied');
      const m = report.migrations[0]!;
      assert.equal(m.counts.failed, 1);
      assert.equal(m.counts.changed, 149);
      assert.deepEqual(m.failures, [
        { collection: 'subjects', key: 's00013', reason: 'up() threw: no thirteens' },
      ]);
    });

    test('autoRollback on a named gate puts the canary back exactly', async () => {
      const strict: Migration = {
        ...addTags,
        up: () => {
          throw new Error('never');
        },
      };
      const original = await w.checksum();
      await approveBoth(w, [strict]);
      const report = await applyMigrations(
        w.applyInput([brittle, strict], {
          settings: { maxErrorRate: 0, autoRollback: { on: ['error-rate'] } },
        }),
      );
      assert.equal(report.status, 'rolled-back');
      assert.ok(sameChecksum(await w.checksum(), original));
      assert.equal((await readChangelogRecord(w.ledger, strict.id))?.status, 'rolled-back');
      assert.equal(await w.ledger.checkpoints.load('migrate.apply'), undefined);
    });
  });

  describe(`migrate apply pauses and resumes on ${kind}`, () => {
    let w: MigrationWorld;
    before(async () => {
      w = await migrationWorld(kind);
    });
    after(async () => w?.cleanup());

    test('an aborted run keeps its checkpoint; the rerun resumes and counts as one run', async () => {
      const docs = await w.seed(300);
      await approveBoth(w, [splitName]);
      const abort = new AbortController();
      let batches = 0;
      const paused = await applyMigrations(
        w.applyInput([splitName], {
          signal: abort.signal,
          onEvent: (e) => {
            if (e.type === 'progress' && ++batches === 3) abort.abort();
          },
        }),
      );
      assert.equal(paused.status, 'paused');
      const saved = await w.ledger.checkpoints.load('migrate.apply');
      assert.ok(saved?.progress, 'the checkpoint holds the progress');
      const done = await applyMigrations(w.applyInput([splitName]));
      assert.equal(done.status, 'applied');
      assert.equal(done.resumed, true);
      assert.equal(done.migrations[0]!.counts.changed, 300);
      const keyField = w.subjects.spec.keyField;
      assert.ok(sameChecksum(await w.contentChecksum(), expectedChecksum(docs, [splitName], keyField)));
    });
  });
}

for (const kind of selectedKinds()) {
  describe(`migrate apply progress on ${kind}`, () => {
    let w: MigrationWorld;
    before(async () => {
      w = await migrationWorld(kind);
    });
    after(async () => w?.cleanup());

    test('both passes report the collection total, counted once a run (a count reads every row on SQLite)', async () => {
      await w.seed(120);
      await approveBoth(w, [splitName]);
      let counts = 0;
      // The real collection, its `count` calls tallied: no store is mocked.
      const target: MigrationTarget = {
        ...w.target,
        collection(name) {
          const real = w.target.collection(name);
          const handle = new Proxy(real.handle, {
            get(t, p) {
              if (p === 'count')
                return (options?: Parameters<typeof t.count>[0]) => {
                  counts++;
                  return t.count(options);
                };
              const value = Reflect.get(t, p, t);
              return typeof value === 'function' ? value.bind(t) : value;
            },
          });
          return { ...real, handle };
        },
      };
      const totals = new Map<string, number | undefined>();
      const report = await applyMigrations(
        w.applyInput([splitName], {
          target,
          onEvent: (e) => {
            if (e.type === 'progress') totals.set(e.stage, e.total);
          },
        }),
      );
      assert.equal(report.status, 'applied', JSON.stringify(report.refusal));
      assert.deepEqual(Object.fromEntries(totals), { canary: 120, rest: 120 });
      assert.equal(counts, 1, "the rest pass reuses the canary pass's count");
    });
  });
}
