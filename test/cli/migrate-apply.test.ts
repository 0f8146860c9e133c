/**
 * `steward migrate apply` and `steward migrate rollback` as a user runs them (the built CLI), on a
 * SQLite project holding the example: refused before approval (exit 2), applied after plan, dry
 * run and two approvals (exit 0, lineage written), then rolled back to the exact checksum. Then
 * what must stop it: a dry run that failed after the approvals (and approvals signed for it, or
 * for no dry run at all), a document that would break the target contract (the contract gate),
 * approvals already used by an apply that was rolled back, and a lease lost mid-apply.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import type { JsonObject } from '../../src/core/json.js';
import { exampleCollectionNames } from '../../src/example/case-management-model.js';
import { writeExampleContracts } from '../../src/example/example-contracts.js';
import {
  exampleContractsV2,
  exampleMigrationId,
  writeExampleMigration,
} from '../../src/example/example-migrations.js';
import { openLedger } from '../../src/ledger/ledger.js';
import { type CollectionChecksum, collectionChecksum } from '../../src/migrations/collection-checksum.js';
import { openStore } from '../../src/stores/open-store.js';
import { scanPages } from '../../src/stores/scan-pages.js';
import { projectWithConfig, runSteward, stewardBin } from '../support/run-steward.js';

const collections = exampleCollectionNames.map((n) => `${n}: {}`).join(', ');
const config = `{ stores: { main: { kind: 'sqlite', file: 'data/app.sqlite' } }, collections: { ${collections} },
  approvers: { alice: { publicKey: 'keys/alice.pub.pem', roles: ['owner'], owns: ['subject-registry'] },
               bob: { publicKey: 'keys/bob.pub.pem', roles: ['dba'] } },
  approvalPolicies: { migrations: { required: 2, includeOwner: true } },
  migrations: { canaryPercent: 10, batchSize: 100, lineage: { jsonl: 'lineage.jsonl' } } }`;

describe('steward migrate apply and rollback', () => {
  let dir: string;
  let steward: (...args: string[]) => ReturnType<typeof runSteward>;
  let original: CollectionChecksum;
  const subjectsChecksum = async () => {
    const store = await openStore({ kind: 'sqlite', file: join(dir, 'data/app.sqlite') });
    try {
      return await collectionChecksum(store.collection({ name: 'subjects', keyField: 'id' }));
    } finally {
      await store.close();
    }
  };

  before(async () => {
    dir = projectWithConfig(config);
    steward = (...args: string[]) => runSteward(args, { cwd: dir });
    mkdirSync(join(dir, 'keys'));
    for (const name of ['alice', 'bob'])
      assert.equal((await steward('approvals', 'keygen', '--out', `keys/${name}`)).code, 0);
    writeExampleContracts(join(dir, 'contracts'), exampleContractsV2());
    writeExampleMigration(join(dir, 'migrations'));
    const generate = await steward('example', 'generate', '--docs', '300');
    assert.equal(generate.code, 0, generate.stderr);
    original = await subjectsChecksum();
  });

  test('apply refuses a plan with no dry run and no approvals with exit 2 and changes nothing', async () => {
    const run = await steward('migrate', 'apply');
    assert.equal(run.code, 2, run.stderr);
    assert.match(run.stdout, /refused \(dry-run\): plan [0-9a-f]{64} cannot be applied: no dry run of plan/);
    assert.deepEqual(await subjectsChecksum(), original);
  });

  test('after the dry run and two approvals, apply migrates every subject; rollback restores them exactly', async () => {
    const plan = JSON.parse((await steward('migrate', 'plan', '--json')).stdout) as { hash: string };
    assert.equal((await steward('migrate', 'dry-run')).code, 0);
    for (const [name, role] of [
      ['alice', 'owner'],
      ['bob', 'dba'],
    ] as const) {
      const approve = await steward(
        'migrate',
        'approve',
        plan.hash,
        '--key',
        `keys/${name}.key.pem`,
        '--approver',
        name,
        '--role',
        role,
      );
      assert.equal(approve.code, 0, approve.stderr);
    }
    const apply = await steward('migrate', 'apply', '--json');
    assert.equal(apply.code, 0, apply.stderr);
    const report = JSON.parse(apply.stdout) as {
      status: string;
      migrations: { counts: { changed: number; failed: number } }[];
    };
    assert.equal(report.status, 'applied');
    assert.equal(report.migrations[0]!.counts.failed, 0);
    assert.equal(report.migrations[0]!.counts.changed, original.count);
    assert.equal(
      (await steward('count', 'subjects', '--where', '{"schemaVersion":2}')).stdout.trim(),
      String(original.count),
    );
    const lineage = readFileSync(join(dir, 'lineage.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const job = `migrate.${exampleMigrationId}`;
    assert.deepEqual(
      lineage.map((e) => [e.eventType, e.job.name]),
      [
        ['START', job],
        ['START', `${job}.canary`],
        ['COMPLETE', `${job}.canary`],
        ['START', `${job}.apply`],
        ['COMPLETE', `${job}.apply`],
        ['COMPLETE', job],
      ],
      'OpenLineage RunEvents: the migration run and its stages',
    );
    const facet = lineage.at(-1).run.facets.steward_plan;
    assert.deepEqual(
      [facet.planHash, facet.migration, facet.fromVersion, facet.toVersion],
      [plan.hash, exampleMigrationId, 1, 2],
    );

    const rollback = await steward('migrate', 'rollback');
    assert.equal(rollback.code, 0, rollback.stdout + rollback.stderr);
    assert.match(rollback.stdout, /no document left at the target version/);
    assert.match(rollback.stdout, /checksum subjects: \d+ docs text:[0-9a-f]{12}, equal to before apply/);
    assert.deepEqual(await subjectsChecksum(), original);
    assert.equal((await steward('count', 'subjects', '--where', '{"schemaVersion":2}')).stdout.trim(), '0');
    const again = await steward('migrate', 'rollback');
    assert.equal(again.code, 0);
    assert.match(again.stdout, /nothing to roll back/);
  });
});

/** A project holding the example, its v2 contracts and migration, and keys for alice and bob. */
async function exampleProject(docs: number) {
  const dir = projectWithConfig(config);
  const steward = (...args: string[]) => runSteward(args, { cwd: dir });
  mkdirSync(join(dir, 'keys'));
  for (const name of ['alice', 'bob'])
    assert.equal((await steward('approvals', 'keygen', '--out', `keys/${name}`)).code, 0);
  writeExampleContracts(join(dir, 'contracts'), exampleContractsV2());
  writeExampleMigration(join(dir, 'migrations'));
  const generate = await steward('example', 'generate', '--docs', String(docs));
  assert.equal(generate.code, 0, generate.stderr);
  const planHash = (JSON.parse((await steward('migrate', 'plan', '--json')).stdout) as { hash: string }).hash;
  return { dir, steward, planHash };
}

/** Runs `work` on the project's SQLite store, closed afterwards. */
async function withStore<T>(
  dir: string,
  work: (store: Awaited<ReturnType<typeof openStore>>) => Promise<T>,
): Promise<T> {
  const store = await openStore({ kind: 'sqlite', file: join(dir, 'data/app.sqlite') });
  try {
    return await work(store);
  } finally {
    await store.close();
  }
}

/** Sets `riskRating` of the first subject (v1 and v2 both want an integer); returns its key. */
function setRiskRating(dir: string, value: string | number): Promise<string> {
  return withStore(dir, async (store) => {
    const subjects = store.collection({ name: 'subjects', keyField: 'id' });
    const first = (await scanPages(subjects, { limit: 1 }).next()).value?.docs[0] as JsonObject | undefined;
    const [result] = await subjects.write([{ type: 'replace', doc: { ...first!, riskRating: value } }]);
    assert.equal(result?.status, 'ok');
    return first!.id as string;
  });
}

const approveArgs = (planHash: string, name: string, role: string) => [
  'migrate',
  'approve',
  planHash,
  '--key',
  `keys/${name}.key.pem`,
  '--approver',
  name,
  '--role',
  role,
];
const signArgs = (subject: string, name: string, role: string) => [
  'approvals',
  'sign',
  subject,
  '--kind',
  'migrations',
  '--key',
  `keys/${name}.key.pem`,
  '--approver',
  name,
  '--role',
  role,
];

describe('steward migrate apply: what approvals and the contract let through', () => {
  let dir: string;
  let steward: (...args: string[]) => ReturnType<typeof runSteward>;
  let planHash: string;
  let original: CollectionChecksum;
  const checksum = () =>
    withStore(dir, (store) => collectionChecksum(store.collection({ name: 'subjects', keyField: 'id' })));
  const dryRun = async (code: number) => {
    const run = await steward('migrate', 'dry-run', '--json');
    assert.equal(run.code, code, run.stderr);
    return JSON.parse(run.stdout) as { hash: string };
  };

  before(async () => {
    ({ dir, steward, planHash } = await exampleProject(300));
  });

  test('approvals of a dry run that passed do not count once a later dry run of the plan failed', async () => {
    await dryRun(0);
    assert.equal((await steward(...approveArgs(planHash, 'alice', 'owner'))).code, 0);
    assert.equal((await steward(...approveArgs(planHash, 'bob', 'dba'))).code, 0);
    const bad = await setRiskRating(dir, 'high');
    const failed = await dryRun(1);
    original = await checksum();

    const status = await steward('migrate', 'status');
    assert.match(status.stdout, /^dry run: FAILED at /m);
    assert.match(
      status.stdout,
      /^approvals of report [0-9a-f]{12}: 0 valid of 2 needed: not met \(the latest dry run of plan [0-9a-f]{64} .* failed/m,
    );
    assert.doesNotMatch(status.stdout, /quorum met/);
    const apply = await steward('migrate', 'apply');
    assert.equal(apply.code, 2, apply.stdout + apply.stderr);
    assert.match(
      apply.stdout,
      /refused \(dry-run\): plan [0-9a-f]{64} cannot be applied: the latest dry run .* failed/,
    );
    assert.deepEqual(await checksum(), original, 'nothing was written');

    // Signing what apply would not count is refused on every path that signs.
    const ofFailed = await steward(...signArgs(`${planHash}:${failed.hash}`, 'alice', 'owner'));
    assert.equal(ofFailed.code, 2);
    assert.match(
      ofFailed.stderr,
      /cannot approve [0-9a-f:]+: the latest dry run of plan [0-9a-f]{64} .* failed/,
    );
    const noDryRun = await steward(...signArgs(`${planHash}:${'0'.repeat(64)}`, 'alice', 'owner'));
    assert.equal(noDryRun.code, 2);
    assert.match(noDryRun.stderr, /report 0{64} is not the latest dry run of plan/);
    const otherPlan = await steward(...signArgs(`${'f'.repeat(64)}:${failed.hash}`, 'alice', 'owner'));
    assert.equal(otherPlan.code, 2);
    assert.match(otherPlan.stderr, /f{64} is not the current plan/);
    const listed = JSON.parse((await steward('approvals', 'list', '--json')).stdout) as unknown[];
    assert.equal(listed.length, 2, 'nothing more was stored');
    await setRiskRating(dir, 3);
    assert.equal(bad.startsWith('subject'), true);
  });

  test('a document that breaks the target contract after the dry run stops apply at the contract gate', async () => {
    const passed = await dryRun(0);
    assert.equal((await steward(...signArgs(`${planHash}:${passed.hash}`, 'alice', 'owner'))).code, 0);
    const status = await steward('migrate', 'status');
    assert.match(
      status.stdout,
      /1 valid of 2 needed by alice: not met .*2 approval\(s\) of this plan approve another dry run than the latest/,
    );
    assert.equal((await steward(...approveArgs(planHash, 'bob', 'dba'))).code, 0);
    assert.match(
      (await steward('migrate', 'status')).stdout,
      /2 valid of 2 needed by alice, bob: quorum met/,
    );
    const bad = await setRiskRating(dir, 'high');
    original = await checksum();
    const apply = await steward('migrate', 'apply');
    assert.equal(apply.code, 1, apply.stdout + apply.stderr);
    assert.match(
      apply.stdout,
      /gate contract \((canary|rest)\): FAIL: 1 document\(s\) of subjects would not conform/,
    );
    assert.match(
      apply.stdout,
      new RegExp(`^ {6}- "${bad}": does not conform to subjects v2: riskRating: must be integer$`, 'm'),
    );
    const json = await steward('migrate', 'status', '--json');
    const gates = JSON.parse(json.stdout).checkpoints.apply.progress.gates as { problems: string[] }[];
    assert.deepEqual(gates.at(-1)?.problems, [
      `"${bad}": does not conform to subjects v2: riskRating: must be integer`,
    ]);
    // Exact, and exit 1 all the same: the migration's `before` validator still finds the bad subject.
    const rollback = await steward('migrate', 'rollback');
    assert.equal(rollback.code, 1, rollback.stdout + rollback.stderr);
    assert.match(rollback.stdout, /checksum subjects: \d+ docs text:[0-9a-f]{12}, equal to before apply/);
    assert.match(rollback.stdout, /validator subjects match v1: FAIL/);
    assert.deepEqual(await checksum(), original, 'rolled back exactly');
  });

  test('after the rollback, the same approvals do not apply again: new ones are needed', async () => {
    await setRiskRating(dir, 3);
    for (let i = 0; i < 3; i++) {
      const again = await steward('migrate', 'apply');
      assert.equal(again.code, 2, again.stdout + again.stderr);
      assert.match(again.stdout, /alice's approval was used up by run apply-/);
    }
    const listed = await steward('approvals', 'list');
    assert.match(listed.stdout, /^used\s+migrations /m);
    assert.equal((await steward(...approveArgs(planHash, 'alice', 'owner'))).code, 0);
    assert.equal((await steward(...approveArgs(planHash, 'bob', 'dba'))).code, 0);
    const apply = await steward('migrate', 'apply');
    assert.equal(apply.code, 0, apply.stdout + apply.stderr);
    assert.match(apply.stdout, /approvals: alice, bob \(dry-run report [0-9a-f]{12}\), used up by this run/);
  });
});

describe('steward migrate apply losing its lease', () => {
  test('another holder takes the lease mid-apply: exit 1 and one line saying how to resume', async () => {
    const { dir, steward, planHash } = await exampleProject(400);
    assert.equal((await steward('migrate', 'dry-run')).code, 0);
    assert.equal((await steward(...approveArgs(planHash, 'alice', 'owner'))).code, 0);
    assert.equal((await steward(...approveArgs(planHash, 'bob', 'dba'))).code, 0);
    const child = spawn(process.execPath, [stewardBin, 'migrate', 'apply', '--rate', '10'], {
      cwd: dir,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (b) => {
      stderr += b;
    });
    child.stdout.resume();
    const exited = new Promise<number>((resolve) => child.on('exit', (code) => resolve(code ?? -1)));
    // Once the canary has started, a holder whose clock is an hour ahead takes the lease.
    await withStore(dir, async (store) => {
      const ledger = await openLedger(store, { actor: 'thief' });
      for (let i = 0; i < 200; i++) {
        const lease = await ledger.readLease('migrate');
        if (lease && (await ledger.checkpoints.load('migrate.apply'))?.progress) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      const thief = await ledger.acquireLease({
        name: 'migrate',
        holder: 'thief',
        ttlMs: 1000,
        clock: () => Date.now() + 3_600_000,
      });
      await thief.release();
    });
    const code = await exited;
    assert.equal(code, 1, stderr);
    assert.match(
      stderr,
      /migrate apply stopped: it lost the "migrate" lease .* run `steward migrate apply` again to resume\./,
    );
    assert.doesNotMatch(stderr, /\n\s+at /, 'no stack trace');
    assert.equal(stderr.trim().split('\n').length, 1, stderr);
    const resumed = await steward('migrate', 'apply');
    assert.equal(resumed.code, 0, resumed.stdout + resumed.stderr);
    assert.match(resumed.stdout, /resumed/);
  });
});
