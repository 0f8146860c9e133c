/**
 * The migration stages before apply, as a user runs them (the built CLI) on a SQLite project
 * holding the example: plan, dry-run, approve, status, validate and history, the refusals, and
 * bad input (files, settings) answered with exit 2 and the file or setting named.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { exampleCollectionNames } from '../../src/example/case-management-model.js';
import { writeExampleContracts } from '../../src/example/example-contracts.js';
import {
  exampleContractsV2,
  exampleMigrationFile,
  exampleMigrationId,
  writeExampleMigration,
} from '../../src/example/example-migrations.js';
import { openLedger } from '../../src/ledger/ledger.js';
import type { DryRunReport } from '../../src/migrations/report/dry-run-report.js';
import { openStore } from '../../src/stores/open-store.js';
import { projectWithConfig, runSteward } from '../support/run-steward.js';

const collections = exampleCollectionNames.map((n) => `${n}: {}`).join(', ');
const config = (extra = '') =>
  `{ stores: { main: { kind: 'sqlite', file: 'data/app.sqlite' } }, collections: { ${collections} },
     approvers: { alice: { publicKey: 'keys/alice.pub.pem', roles: ['owner'], owns: ['subject-registry'] },
                  bob: { publicKey: 'keys/bob.pub.pem', roles: ['dba'] } },
     approvalPolicies: { migrations: { required: 2, includeOwner: true } }${extra} }`;

/** The arguments of `steward migrate approve`, plus any `extra` ones. */
const approveArgs = (planHash: string, key: string, approver: string, role: string, ...extra: string[]) => [
  'migrate',
  'approve',
  planHash,
  '--key',
  key,
  '--approver',
  approver,
  '--role',
  role,
  ...extra,
];

/** A project with the example's data, the v2 contracts and the example migration. */
async function exampleProject(
  extra = '',
): Promise<{ dir: string; steward: (...args: string[]) => ReturnType<typeof runSteward> }> {
  const dir = projectWithConfig(config(extra));
  const steward = (...args: string[]) => runSteward(args, { cwd: dir });
  mkdirSync(join(dir, 'keys'));
  for (const name of ['alice', 'bob'])
    assert.equal((await steward('approvals', 'keygen', '--out', `keys/${name}`)).code, 0);
  writeExampleContracts(join(dir, 'contracts'), exampleContractsV2());
  writeExampleMigration(join(dir, 'migrations'));
  const generate = await steward('example', 'generate', '--docs', '400');
  assert.equal(generate.code, 0, generate.stderr);
  return { dir, steward };
}

interface PlanJson {
  hash: string;
  options: { canaryPercent: number; batchSize: number };
  migrations: { id: string; collections: string[]; estimatedDocuments: number; hasDown: boolean }[];
  estimatedDocuments: number;
}

describe('steward migrate plan, dry-run, approve, status, validate, history', () => {
  let dir: string;
  let steward: (...args: string[]) => ReturnType<typeof runSteward>;
  let plan: PlanJson;

  before(async () => {
    ({ dir, steward } = await exampleProject());
  });

  test('plan lists the pending migration, its collections and documents, and the plan hash', async () => {
    const run = await steward('migrate', 'plan', '--json');
    assert.equal(run.code, 0, run.stderr);
    plan = JSON.parse(run.stdout) as PlanJson;
    assert.match(plan.hash, /^[0-9a-f]{64}$/);
    assert.deepEqual(plan.options, { canaryPercent: 5, batchSize: 500 }, 'the defaults of migrations');
    assert.equal(plan.migrations.length, 1);
    assert.equal(plan.migrations[0]?.id, exampleMigrationId);
    assert.deepEqual(plan.migrations[0]?.collections, ['subjects']);
    assert.ok(plan.migrations[0]!.estimatedDocuments > 0);
    const text = await steward('migrate', 'plan');
    assert.match(text.stdout, new RegExp(`^plan ${plan.hash}$`, 'm'));
    assert.match(
      text.stdout,
      new RegExp(`^${exampleMigrationId}  v1 -> v2  subjects  ~\\d+ documents$`, 'm'),
    );
  });

  test('approve refuses before a dry run, and for a plan hash that is not the current one', async () => {
    const early = await steward(...approveArgs(plan.hash, 'keys/alice.key.pem', 'alice', 'owner'));
    assert.equal(early.code, 2);
    assert.match(
      early.stderr,
      /no dry-run report at .*\.steward\/reports\/[0-9a-f]{64}\.json: run "steward migrate dry-run" first/,
    );
    const wrong = await steward(...approveArgs('f'.repeat(64), 'keys/alice.key.pem', 'alice', 'owner'));
    assert.equal(wrong.code, 2);
    assert.match(wrong.stderr, /f{64} is not the current plan \([0-9a-f]{64}\)/);
  });

  test('dry-run migrates a sandbox copy, writes the report, and leaves the data as it was', async () => {
    const run = await steward('migrate', 'dry-run', '--json');
    assert.equal(run.code, 0, run.stderr);
    const out = JSON.parse(run.stdout) as {
      json: string;
      markdown: string;
      hash: string;
      report: DryRunReport;
    };
    assert.equal(out.report.ok, true);
    assert.equal(out.report.planHash, plan.hash);
    assert.equal(out.report.totals.changed, plan.migrations[0]!.estimatedDocuments);
    assert.equal(out.report.totals.failed, 0);
    assert.deepEqual(out.report.migrations[0]?.roundTrip?.mismatched, 0);
    assert.equal(out.json, join(dir, '.steward', 'reports', `${plan.hash}.json`));
    assert.ok(existsSync(out.markdown));
    assert.match(readFileSync(out.markdown, 'utf8'), /^# Dry run of plan [0-9a-f]{64}\n\n\*\*PASSED\*\*/);
    assert.match(
      readFileSync(out.markdown, 'utf8'),
      /- ETA of the real apply: about \d+ s for [\d,]+ documents \(likely between/,
    );
    assert.ok(
      out.report.eta &&
        out.report.eta.low <= out.report.eta.seconds &&
        out.report.eta.seconds <= out.report.eta.high,
    );
    const v2 = await steward('count', 'subjects', '--where', '{"schemaVersion":2}');
    assert.equal(v2.stdout.trim(), '0', 'nothing was migrated for real');
    const status = JSON.parse((await steward('migrate', 'status', '--json')).stdout);
    assert.equal(status.dryRun.hash, out.hash);
  });

  test('approve signs plan and report; the quorum is met with the second approver', async () => {
    const first = await steward(...approveArgs(plan.hash, 'keys/bob.key.pem', 'bob', 'dba', '--json'));
    assert.equal(first.code, 0, first.stderr);
    const one = JSON.parse(first.stdout);
    assert.equal(one.approval.subject, `${plan.hash}:${one.reportHash}`);
    assert.equal(one.approval.subjectKind, 'migrations');
    assert.equal(one.quorum.ok, false);
    const stolen = await steward(...approveArgs(plan.hash, 'keys/bob.key.pem', 'alice', 'owner'));
    assert.equal(stolen.code, 2);
    assert.match(stolen.stderr, /is not alice's key/);
    const second = await steward(...approveArgs(plan.hash, 'keys/alice.key.pem', 'alice', 'owner'));
    assert.equal(second.code, 0, second.stderr);
    assert.match(second.stdout, /the approvals meet the policy \(bob, alice\)/);
    const status = JSON.parse((await steward('migrate', 'status', '--json')).stdout);
    assert.equal(status.planHash, plan.hash);
    assert.deepEqual(
      status.pending.map((p: { id: string }) => p.id),
      [exampleMigrationId],
    );
    assert.equal(status.approvals.ok, true);
    assert.deepEqual(status.approvals.approvedBy, ['bob', 'alice']);
  });

  test('a new dry run changes the report hash, and the old approvals no longer count', async () => {
    const copy = join(dir, 'elsewhere');
    const run = await steward('migrate', 'dry-run', '--out', 'elsewhere', '--sample', '5', '--json');
    assert.equal(run.code, 0, run.stderr);
    const { hash } = JSON.parse(run.stdout) as { hash: string };
    const approve = await steward(
      ...approveArgs(
        plan.hash,
        'keys/alice.key.pem',
        'alice',
        'owner',
        '--report',
        join(copy, `${plan.hash}.json`),
        '--json',
      ),
    );
    assert.equal(approve.code, 0, approve.stderr);
    const out = JSON.parse(approve.stdout);
    assert.equal(out.reportHash, hash);
    assert.equal(out.quorum.ok, false, 'bob approved another report');
    // The first report is still on disk, but it is no longer the plan's latest dry run.
    const stale = await steward(...approveArgs(plan.hash, 'keys/bob.key.pem', 'bob', 'dba'));
    assert.equal(stale.code, 2, stale.stdout);
    assert.match(
      stale.stderr,
      /cannot approve [0-9a-f]{64}:[0-9a-f]{64}: report [0-9a-f]{64} is not the latest dry run of plan/,
    );
  });

  test('validate passes, and history shows every stage', async () => {
    const validate = await steward('migrate', 'validate');
    assert.equal(validate.code, 0, validate.stderr);
    assert.match(validate.stdout, /^ok: 1 migration file\(s\), 0 applied and unchanged, 1 pending$/m);
    const history = JSON.parse((await steward('migrate', 'history', '--json')).stdout);
    const actions = history.audit.map((r: { action: string }) => r.action);
    for (const action of ['migrate.plan', 'migrate.dry-run', 'migrate.approve', 'approval.recorded'])
      assert.ok(actions.includes(action), `${action} in ${actions.join(', ')}`);
    assert.ok(
      history.audit.every(
        (r: { subject: string }) => r.subject === plan.hash || r.subject.startsWith(`${plan.hash}:`),
      ),
    );
  });

  test('validate and plan name an applied migration whose file changed, and one out of order', async () => {
    const store = await openStore({ kind: 'sqlite', file: join(dir, 'data/app.sqlite') });
    try {
      const ledger = await openLedger(store, { actor: 'test' });
      await store.ensureCollection(ledger.namespace.migrations);
      const record = {
        id: exampleMigrationId,
        checksum: 'not-the-file',
        status: 'applied',
        planHash: plan.hash,
        plan: [exampleMigrationId],
        attempt: 1,
        fromVersion: 1,
        targetVersion: 2,
        collections: ['subjects'],
        startedAt: '2026-07-01T00:00:00.000Z',
        appliedAt: '2026-07-01T00:01:00.000Z',
        counts: { changed: 1, skipped: 0, failed: 0, canary: 0 },
        checksumsBefore: {},
        checksumsAfter: {},
      };
      await store.collection(ledger.namespace.migrations).write([{ type: 'insert', doc: record }]);
    } finally {
      await store.close();
    }
    writeFileSync(
      join(dir, 'migrations', '2026-01-01-early.migration.ts'),
      `export default { id: '2026-01-01-early', description: 'late arrival', collections: ['subjects'], targetVersion: 2, up: (d) => d };\n`,
    );
    const validate = await steward('migrate', 'validate');
    assert.equal(validate.code, 1);
    assert.match(
      validate.stdout,
      new RegExp(
        `edited-after-apply: ${exampleMigrationId} \\(.*${exampleMigrationFile}\\) changed after it was applied`,
      ),
    );
    assert.match(validate.stdout, /out-of-order: 2026-01-01-early is pending but sorts before/);
    const planRun = await steward('migrate', 'plan');
    assert.equal(planRun.code, 2);
    assert.match(planRun.stderr, /the migrations cannot be planned \(2 problem\(s\)\)/);
  });
});

describe('steward migrate: failures and bad input', () => {
  test('a dry run reports the documents a migration fails on, with their keys, and exits 1', async () => {
    const { dir, steward } = await exampleProject();
    const file = join(dir, 'migrations', exampleMigrationFile);
    // Organisations' names now make up() throw: every organisation is reported, nothing crashes.
    writeFileSync(
      file,
      readFileSync(file, 'utf8').replace(
        "const space = name.indexOf(' ');",
        "if (rest.kind === 'organisation') throw new Error('no organisations yet');\n    const space = name.indexOf(' ');",
      ),
    );
    const run = await steward('migrate', 'dry-run');
    assert.equal(run.code, 1, run.stderr);
    assert.match(run.stdout, /subjects: \d+ changed, 0 unchanged, \d+ failed/);
    assert.match(run.stdout, /"subject-\d+": up\(\) threw: no organisations yet/);
    assert.match(
      run.stdout,
      /ETA of the real apply: about \d+ s \(likely \d+-\d+ s; the method is in the report\)/,
    );
    assert.doesNotMatch(run.stdout, /next: steward migrate approve/);
    const { stdout } = await steward('migrate', 'plan', '--json');
    const hash = JSON.parse(stdout).hash;
    const approve = await steward(...approveArgs(hash, 'keys/alice.key.pem', 'alice', 'owner'));
    assert.equal(approve.code, 2);
    assert.match(approve.stderr, /the dry run in .* failed/);
  });

  test('bad migration files, settings and contracts exit 2 naming the file or setting', async () => {
    const { dir, steward } = await exampleProject();
    writeFileSync(join(dir, 'migrations', '2027-01-01-broken.migration.ts'), 'export default {{ id: ;\n');
    const syntax = await steward('migrate', 'plan');
    assert.equal(syntax.code, 2);
    assert.match(syntax.stderr, /2027-01-01-broken\.migration\.ts: \(file\): could not be loaded/);
    writeFileSync(
      join(dir, 'migrations', '2027-01-01-broken.migration.ts'),
      `export default { id: '2027-01-01-broken', description: 'to v3', collections: ['subjects'], targetVersion: 3, up: (d) => d };\n`,
    );
    const version = await steward('migrate', 'dry-run');
    assert.equal(version.code, 2);
    assert.match(
      version.stderr,
      /2027-01-01-broken\.migration\.ts: targetVersion: subjects's contract .* declares versions 1, 2, not 3/,
    );
    const settings = projectWithConfig(
      `{ stores: { main: { kind: 'sqlite', file: 'app.sqlite' } }, migrations: { canaryPercent: 0, batchSize: 'big', autoRollback: { on: ['panic'] } } }`,
    );
    const bad = await runSteward(['migrate', 'status'], { cwd: settings });
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /migrations\.canaryPercent: must be a percent above 0/);
    assert.match(bad.stderr, /migrations\.batchSize: must be a whole number from 1 to 10000/);
    assert.match(
      bad.stderr,
      /migrations\.autoRollback\.on\[0\]: must be one of validators, error-rate, parity/,
    );
    const usage = await steward('migrate', 'approve');
    assert.equal(usage.code, 2);
    assert.match(usage.stderr, /name the plan hash to approve/);
  });
});
