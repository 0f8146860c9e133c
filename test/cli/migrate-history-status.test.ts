/**
 * `migrate history` and `migrate status` while a migration's life is under way (issue 14, item 2):
 * history lists every audit record of the migration (`migration.*` too: gate-failed, applied,
 * rolled-back, and the approvals used up), and status shows the plan hash of an apply that waits
 * at a failed gate, not the hash of the migrations after it. The built CLI, on SQLite.
 */
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { JsonObject } from '../../src/core/json.js';
import { exampleCollectionNames } from '../../src/example/case-management-model.js';
import { writeExampleContracts } from '../../src/example/example-contracts.js';
import { exampleContractsV2, writeExampleMigration } from '../../src/example/example-migrations.js';
import { openStore } from '../../src/stores/open-store.js';
import { scanPages } from '../../src/stores/scan-pages.js';
import { projectWithConfig, runSteward } from '../support/run-steward.js';

const collections = exampleCollectionNames.map((n) => `${n}: {}`).join(', ');
const config = `{ stores: { main: { kind: 'sqlite', file: 'data/app.sqlite' } }, collections: { ${collections} },
  approvers: { alice: { publicKey: 'keys/alice.pub.pem', roles: ['owner'], owns: ['subject-registry'] } },
  approvalPolicies: { migrations: { required: 1 } },
  migrations: { canaryPercent: 10, batchSize: 100 } }`;

/** Gives the first subject a riskRating its v2 contract refuses, so apply stops at the contract gate. */
async function breakOneSubject(dir: string): Promise<void> {
  const store = await openStore({ kind: 'sqlite', file: join(dir, 'data/app.sqlite') });
  try {
    const subjects = store.collection({ name: 'subjects', keyField: 'id' });
    const first = (await scanPages(subjects, { limit: 1 }).next()).value?.docs[0] as JsonObject | undefined;
    const [result] = await subjects.write([{ type: 'replace', doc: { ...first!, riskRating: 'high' } }]);
    assert.equal(result?.status, 'ok');
  } finally {
    await store.close();
  }
}

test('status keeps the plan hash of an apply waiting at a failed gate; history lists every migration record', async () => {
  const dir = projectWithConfig(config);
  const steward = (...args: string[]) => runSteward(args, { cwd: dir });
  mkdirSync(join(dir, 'keys'));
  assert.equal((await steward('approvals', 'keygen', '--out', 'keys/alice')).code, 0);
  writeExampleContracts(join(dir, 'contracts'), exampleContractsV2());
  writeExampleMigration(join(dir, 'migrations'));
  assert.equal((await steward('example', 'generate', '--docs', '300')).code, 0);
  const planHash = (JSON.parse((await steward('migrate', 'plan', '--json')).stdout) as { hash: string }).hash;
  assert.equal((await steward('migrate', 'dry-run')).code, 0);
  const approve = await steward(
    ...[
      'migrate',
      'approve',
      planHash,
      '--key',
      'keys/alice.key.pem',
      '--approver',
      'alice',
      '--role',
      'owner',
    ],
  );
  assert.equal(approve.code, 0, approve.stderr);
  await breakOneSubject(dir);

  const apply = await steward('migrate', 'apply');
  assert.equal(apply.code, 1, apply.stdout + apply.stderr);
  assert.match(apply.stdout, /gate contract \((canary|rest)\): FAIL/);

  const status = JSON.parse((await steward('migrate', 'status', '--json')).stdout) as {
    planHash: string;
    approvals: { ok: boolean; approvedBy: string[] } | null;
  };
  assert.equal(status.planHash, planHash, 'the waiting run’s plan, not the plan of what comes after it');
  assert.equal(status.approvals?.ok, true, 'the run keeps the approvals it used');
  const text = await steward('migrate', 'status');
  assert.match(text.stdout, new RegExp(`^plan ${planHash}$`, 'm'));
  assert.match(text.stdout, /^approvals of report [0-9a-f]{12}: 1 valid of 1 needed by alice: quorum met/m);

  assert.equal((await steward('migrate', 'rollback')).code !== 2, true);
  const history = JSON.parse((await steward('migrate', 'history', '--limit', '0', '--json')).stdout) as {
    audit: { action: string }[];
  };
  const actions = history.audit.map((r) => r.action);
  for (const action of [
    'migrate.plan',
    'migrate.dry-run',
    'migrate.approve',
    'approval.recorded',
    'approval.used',
    'migrate.apply.started',
    'migration.apply.started',
    'migration.gate-failed',
    'migration.rollback.started',
    'migration.rolled-back',
  ])
    assert.ok(actions.includes(action), `${action} in ${actions.join(', ')}`);
  const shown = await steward('migrate', 'history');
  assert.match(shown.stdout, / migration\.gate-failed /);
  assert.match(shown.stdout, / migration\.rolled-back /);
});
