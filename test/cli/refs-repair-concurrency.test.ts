/**
 * Two `steward refs repair` runs at once on one SQLite file, as a user starts them (the built
 * CLI): on different references both finish, the second writer waiting for the first's batch
 * instead of failing with "database is locked"; on a reference whose lease another run holds,
 * the run says who holds it and until when, and exits 1 instead of "no open incidents".
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { openLedger } from '../../src/ledger/ledger.js';
import { openStore } from '../../src/stores/open-store.js';
import { readAll } from '../support/read-all.js';
import { projectWithConfig, runSteward } from '../support/run-steward.js';
import { selectedKinds } from '../support/test-stores.js';

const config = `{
  stores: { main: { kind: 'sqlite', file: 'app.sqlite' } },
  collections: { accounts: {}, profiles: {}, tasks: {} },
  references: {
    'profiles.accountId': { target: 'accounts', onMissing: 'nullify' },
    'tasks.ownerId': { target: 'accounts', onMissing: 'nullify' },
  },
  // Most references here are orphans on purpose: the circuit breaker is not what this tests.
  integrity: { breaker: { maxOrphanRate: 1 } },
}`;
const orphans = 1200;

describe(
  'refs repair: concurrent runs on one SQLite file',
  { skip: !selectedKinds().includes('sqlite') },
  () => {
    let dir: string;
    const steward = (...args: string[]) =>
      runSteward(args, { cwd: dir, env: { STEWARD_ACTOR: 'ci' }, timeoutMs: 180_000 });
    const withStore = async <T>(work: (store: Awaited<ReturnType<typeof openStore>>) => Promise<T>) => {
      const store = await openStore({ kind: 'sqlite', file: join(dir, 'app.sqlite') });
      try {
        return await work(store);
      } finally {
        await store.close();
      }
    };

    before(async () => {
      dir = projectWithConfig(config);
      await withStore(async (store) => {
        const seed = async (name: string, docs: object[]) => {
          const spec = { name, keyField: 'id' };
          await store.ensureCollection(spec);
          await store
            .collection(spec)
            .write(docs.map((doc) => ({ type: 'insert' as const, doc: doc as never })));
        };
        await seed('accounts', [{ id: 'a1' }]);
        const docs = (field: string) =>
          Array.from({ length: orphans + 100 }, (_, i) => ({
            id: `d${i}`,
            [field]: i < orphans ? `gone-${i}` : 'a1',
          }));
        await seed('profiles', docs('accountId'));
        await seed('tasks', docs('ownerId'));
      });
      const scan = await steward('refs', 'scan');
      assert.equal(scan.code, 1, scan.stderr); // orphans found: they are incidents now
    });

    test('a run on a reference whose lease another run holds names the holder and exits 1', async () => {
      const until = await withStore(async (store) => {
        const ledger = await openLedger(store, { actor: 'other' });
        const lease = await ledger.acquireLease({
          name: 'refs.repair.profiles.accountId',
          holder: 'other-run@ci',
          ttlMs: 120_000,
        });
        return new Date(lease.expiresAt).toISOString();
      });
      const run = await steward('refs', 'repair', 'profiles.accountId');
      assert.equal(run.code, 1, run.stderr);
      assert.match(run.stdout, new RegExp(`held by other-run@ci until ${until.replaceAll('.', '\\.')}`));
      assert.match(
        run.stdout,
        /^repair: nothing done; not repaired, another run holds the lease: profiles\.accountId/m,
      );
      assert.doesNotMatch(run.stdout, /no open incidents/);
      const json = await steward('refs', 'repair', 'profiles.accountId', '--json');
      assert.equal(json.code, 1);
      const report = JSON.parse(json.stdout) as {
        references: { heldBy?: { holder: string; until: string } }[];
      };
      assert.deepEqual(report.references[0]?.heldBy, { holder: 'other-run@ci', until });
      await withStore(async (store) => {
        const ledger = await openLedger(store, { actor: 'other' });
        // Take it back over (same holder) and release it, so the next test can repair.
        const lease = await ledger.acquireLease({
          name: 'refs.repair.profiles.accountId',
          holder: 'other-run@ci',
          ttlMs: 1000,
        });
        await lease.release();
      });
    });

    test('two runs on different references at once both finish and repair everything', async () => {
      const [profiles, tasks] = await Promise.all([
        steward('refs', 'repair', 'profiles.accountId', '--batch', '25'),
        steward('refs', 'repair', 'tasks.ownerId', '--batch', '25'),
      ]);
      for (const run of [profiles, tasks]) {
        assert.equal(run.code, 0, `stdout: ${run.stdout.slice(-500)}\nstderr: ${run.stderr}`);
        assert.match(run.stdout, /^repair: 1,200 done$/m, run.stdout.slice(-300));
      }
      await withStore(async (store) => {
        for (const [name, field] of [
          ['profiles', 'accountId'],
          ['tasks', 'ownerId'],
        ] as const) {
          const docs = await readAll(store.collection({ name, keyField: 'id' }));
          assert.equal(docs.filter((d) => d[field] === null).length, orphans, `${name}: every orphan nulled`);
          assert.equal(docs.filter((d) => d[field] === 'a1').length, 100, `${name}: valid references kept`);
        }
      });
      const verify = await steward('audit', 'verify');
      assert.equal(verify.code, 0, verify.stdout + verify.stderr);
    });
  },
);
