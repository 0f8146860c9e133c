/**
 * `steward migrate apply` and `steward migrate rollback` as a user runs them (the built CLI), on a
 * SQLite project holding the example: refused before approval (exit 2), applied after plan, dry
 * run and two approvals (exit 0, lineage written), then rolled back to the exact checksum.
 */
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { exampleCollectionNames } from '../../src/example/case-management-model.js';
import { writeExampleContracts } from '../../src/example/example-contracts.js';
import {
  exampleContractsV2,
  exampleMigrationId,
  writeExampleMigration,
} from '../../src/example/example-migrations.js';
import { type CollectionChecksum, collectionChecksum } from '../../src/migrations/collection-checksum.js';
import { openStore } from '../../src/stores/open-store.js';
import { projectWithConfig, runSteward } from '../support/run-steward.js';

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

  test('apply refuses an unapproved plan with exit 2 and changes nothing', async () => {
    const run = await steward('migrate', 'apply');
    assert.equal(run.code, 2, run.stderr);
    assert.match(run.stdout, /refused \(approvals\): plan [0-9a-f]{64} is not approved/);
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
    assert.deepEqual(
      lineage.map((e) => [e.type, e.migration, e.collections[0].fromVersion, e.collections[0].toVersion]),
      [['migration.applied', exampleMigrationId, 1, 2]],
    );

    const rollback = await steward('migrate', 'rollback');
    assert.equal(rollback.code, 0, rollback.stdout + rollback.stderr);
    assert.match(rollback.stdout, /no document left at the target version/);
    assert.match(rollback.stdout, /checksum subjects: \d+ docs [0-9a-f]{12}, equal to before apply/);
    assert.deepEqual(await subjectsChecksum(), original);
    assert.equal((await steward('count', 'subjects', '--where', '{"schemaVersion":2}')).stdout.trim(), '0');
    const again = await steward('migrate', 'rollback');
    assert.equal(again.code, 0);
    assert.match(again.stdout, /nothing to roll back/);
  });
});
