/**
 * SIGTERM during `steward migrate apply` and `steward migrate rollback` (the built CLI), on SQLite
 * and FerretDB (the store the tests' MongoDB URI names): the run stops after the batch in flight,
 * checkpointed, at once even while a slow `--rate` waits, says how to resume, and a rerun
 * of the same command finishes the job: every subject migrated, then the original checksum back.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { exampleCollectionNames } from '../../src/example/case-management-model.js';
import { writeExampleContracts } from '../../src/example/example-contracts.js';
import { exampleContractsV2, writeExampleMigration } from '../../src/example/example-migrations.js';
import { openLedger } from '../../src/ledger/ledger.js';
import { type CollectionChecksum, collectionChecksum } from '../../src/migrations/collection-checksum.js';
import { openStore } from '../../src/stores/open-store.js';
import type { Store } from '../../src/stores/store.js';
import type { StoreConfig } from '../../src/stores/store-config.js';
import { projectWithConfig, runSteward, stewardBin } from '../support/run-steward.js';
import { selectedKinds, testStoreConfig } from '../support/test-stores.js';

const docs = 300;

/** The project's store as the test opens it (a SQLite file is relative to the project). */
function storeIn(dir: string, config: StoreConfig): StoreConfig {
  return config.kind === 'sqlite' ? { kind: 'sqlite', file: join(dir, 'data/app.sqlite') } : config;
}

async function withStore<T>(config: StoreConfig, work: (store: Store) => Promise<T>): Promise<T> {
  const store = await openStore(config);
  try {
    return await work(store);
  } finally {
    await store.close();
  }
}

/**
 * Starts `steward migrate <command> --rate 4` (a batch of 10 then waits 2.5 s), waits until its
 * checkpoint holds progress, sends SIGTERM and returns how the process ended and how long it took to.
 */
async function terminateMidway(dir: string, config: StoreConfig, command: 'apply' | 'rollback') {
  const child = spawn(process.execPath, [stewardBin, 'migrate', command, '--rate', '4'], {
    cwd: dir,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (b) => {
    stdout += b;
  });
  child.stderr.on('data', (b) => {
    stderr += b;
  });
  const exited = new Promise<number>((resolve) =>
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 128 : -1))),
  );
  const job = command === 'apply' ? 'migrate.apply' : 'migrate.rollback';
  await withStore(config, async (store) => {
    const ledger = await openLedger(store, { actor: 'watcher' });
    for (let i = 0; i < 600; i++) {
      const state = (await ledger.checkpoints.load(job)) as {
        progress?: { counts?: { changed?: number } };
      } | null;
      if ((state?.progress?.counts?.changed ?? 0) >= 1) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.fail(`no progress of ${command} seen in 30 s: ${stderr}`);
  });
  const sent = Date.now();
  child.kill('SIGTERM');
  const code = await exited;
  return { code, stdout, stderr, ms: Date.now() - sent };
}

for (const kind of selectedKinds().filter((k) => k !== 'dynamodb')) {
  describe(`SIGTERM during migrate apply and rollback on ${kind}`, { timeout: 300_000 }, () => {
    let dir: string;
    let config: StoreConfig;
    let original: CollectionChecksum;
    const steward = (...args: string[]) => runSteward(args, { cwd: dir, timeoutMs: 180_000 });
    const subjects = () =>
      withStore(config, (store) =>
        collectionChecksum(store.collection({ name: 'subjects', keyField: 'id' })),
      );
    const atTarget = async () =>
      Number((await steward('count', 'subjects', '--where', '{"schemaVersion":2}')).stdout.trim());

    before(async () => {
      const declared =
        kind === 'sqlite' ? { kind: 'sqlite' as const, file: 'data/app.sqlite' } : testStoreConfig(kind);
      const collections = exampleCollectionNames.map((n) => `${n}: { key: 'id' }`).join(', ');
      dir =
        projectWithConfig(`{ stores: { main: ${JSON.stringify(declared)} }, collections: { ${collections} },
        approvers: { alice: { publicKey: 'keys/alice.pub.pem', roles: ['owner'], owns: ['subject-registry'] },
                     bob: { publicKey: 'keys/bob.pub.pem', roles: ['dba'] } },
        approvalPolicies: { migrations: { required: 2, includeOwner: true } },
        migrations: { canaryPercent: 10, batchSize: 10 } }`);
      config = storeIn(dir, declared);
      mkdirSync(join(dir, 'keys'));
      for (const name of ['alice', 'bob'])
        assert.equal((await steward('approvals', 'keygen', '--out', `keys/${name}`)).code, 0);
      writeExampleContracts(join(dir, 'contracts'), exampleContractsV2());
      writeExampleMigration(join(dir, 'migrations'));
      const generate = await steward('example', 'generate', '--docs', String(docs));
      assert.equal(generate.code, 0, generate.stderr);
      original = await subjects();
      const plan = JSON.parse((await steward('migrate', 'plan', '--json')).stdout) as { hash: string };
      const dry = await steward('migrate', 'dry-run');
      assert.equal(dry.code, 0, dry.stdout + dry.stderr);
      for (const [name, role] of [
        ['alice', 'owner'],
        ['bob', 'dba'],
      ] as const) {
        const args = ['migrate', 'approve', plan.hash, '--key', `keys/${name}.key.pem`, '--approver', name];
        const approve = await steward(...args, '--role', role);
        assert.equal(approve.code, 0, approve.stderr);
      }
    });

    after(async () => {
      if (config?.kind !== 'mongodb') return;
      const { MongoClient } = await import('mongodb');
      const client = new MongoClient(config.uri);
      await client.db(config.database).dropDatabase();
      await client.close();
    });

    test('apply stops within seconds, checkpointed, says how to resume; a rerun migrates every subject', async () => {
      const stopped = await terminateMidway(dir, config, 'apply');
      assert.ok(stopped.ms < 1500, `exited ${stopped.ms} ms after SIGTERM`);
      assert.equal(stopped.code, 130, stopped.stderr);
      assert.match(
        stopped.stderr,
        /SIGTERM: stopping after the batch in flight \(checkpointed\); run `steward migrate apply` again to resume/,
      );
      assert.match(stopped.stdout, /paused; rerun to resume/);
      const partly = await atTarget();
      assert.ok(
        partly > 0 && partly < original.count,
        `${partly} of ${original.count} migrated when stopped`,
      );

      const resumed = await steward('migrate', 'apply', '--json');
      assert.equal(resumed.code, 0, resumed.stdout + resumed.stderr);
      const report = JSON.parse(resumed.stdout) as {
        status: string;
        migrations: { counts: { changed: number; failed: number } }[];
      };
      assert.equal(report.status, 'applied');
      assert.deepEqual(
        [report.migrations[0]!.counts.changed, report.migrations[0]!.counts.failed],
        [original.count, 0],
      );
      assert.equal(await atTarget(), original.count);
    });

    test('rollback stops within seconds the same way; a rerun restores the original checksum', async () => {
      const stopped = await terminateMidway(dir, config, 'rollback');
      assert.ok(stopped.ms < 1500, `exited ${stopped.ms} ms after SIGTERM`);
      assert.equal(stopped.code, 130, stopped.stderr);
      assert.match(
        stopped.stderr,
        /SIGTERM: stopping after the batch in flight \(checkpointed\); run `steward migrate rollback` again to resume/,
      );
      assert.match(stopped.stdout, /paused; rerun to resume/);
      const left = await atTarget();
      assert.ok(
        left > 0 && left < original.count,
        `${left} of ${original.count} still migrated when stopped`,
      );

      const resumed = await steward('migrate', 'rollback');
      assert.equal(resumed.code, 0, resumed.stdout + resumed.stderr);
      assert.match(resumed.stdout, /equal to before apply/);
      assert.deepEqual(await subjects(), original);
    });
  });
}
