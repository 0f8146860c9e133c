/**
 * kill -9 during `rebuild --all`, `drift repair`, `derived dual-run` and `derived cutover`: a child process (fixtures/derived-child.ts)
 * runs the job in small, slowed batches and is SIGKILLed after 1 to 3 batches plus up to 30 ms, at
 * least 6 times; the next child resumes (rebuild: from its ledger checkpoint, after waiting out the
 * killed run's lease; repair: from the open incidents). Each time, the derived collection ends
 * exactly as in a twin world where the same job ran uninterrupted (projection times aside), every
 * changed document has exactly one before-image (none was written twice), and a recheck is clean.
 *
 * Runs on SQLite and DynamoDB Local (STEWARD_CRASH_STORES overrides; intersected with the
 * selected stores).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { parseFilter } from '../../src/core/filter.js';
import type { JsonObject } from '../../src/core/json.js';
import { checkDrift } from '../../src/derived/check-drift.js';
import { type CutoverReport, cutover } from '../../src/derived/cutover.js';
import { dualRun } from '../../src/derived/dual-run.js';
import type { DualRunReport } from '../../src/derived/dual-run-report.js';
import { rebuildDerived } from '../../src/derived/rebuild-derived.js';
import { repairDrift } from '../../src/derived/repair-drift.js';
import type { RepairReport } from '../../src/derived/repair-report.js';
import { type Ledger, openLedger } from '../../src/ledger/ledger.js';
import type { StoreKind } from '../../src/stores/store.js';
import { crashKinds, runWithKills } from '../support/kill-loop.js';
import { readAll } from '../support/read-all.js';
import { openTestStore, type TestStore } from '../support/test-stores.js';
import type { ChildArgs } from './fixtures/derived-child.js';
import {
  seedVersionedWorld,
  type VersionedWorld,
  versionedDerived,
  worldPrefix,
} from './fixtures/versioned-world.js';

const child = new URL('./fixtures/derived-child.ts', import.meta.url).pathname;
const kills = 6;
/** Runs the job in children until one finishes, the first `kills` of them killed mid-run. */
function runJob<R = RepairReport>(args: ChildArgs): Promise<{ report: R; killed: number }> {
  return runWithKills<R>({ script: child, args, kills, maxDelayMs: 30, label: args.action });
}

/** A document without its projection times, which differ between any two runs. */
function timeless(doc: JsonObject): JsonObject {
  const copy = structuredClone(doc);
  for (const meta of Object.values((copy._projection ?? {}) as JsonObject))
    delete (meta as JsonObject).projectedAt;
  return copy;
}

interface World {
  t: TestStore;
  w: VersionedWorld;
  ledger: Ledger;
  prefix: string;
}

async function openWorld(kind: StoreKind, now: number): Promise<World> {
  const t = await openTestStore(kind);
  const prefix = `${t.spec('ledger').name}_`;
  const ledger = await openLedger(t.store, { actor: 'test', namespacePrefix: prefix });
  const w = await seedVersionedWorld(t.store, worldPrefix(), now);
  // Every derived value wrong, so every document is written once.
  await w.c.tickets.write(
    (await readAll(w.c.tickets)).map((d) => ({
      type: 'patch' as const,
      key: d.id as string,
      set: { personName: 'stale' },
    })),
  );
  await w.c.customers.write(
    (await readAll(w.c.customers)).map((d) => ({
      type: 'patch' as const,
      key: d.id as string,
      set: { openOrders: 1000 },
    })),
  );
  return { t, w, ledger, prefix };
}

for (const kind of crashKinds()) {
  describe(`kill -9 during rebuild, repair, dual run and cutover on ${kind}`, { timeout: 300_000 }, () => {
    let killedWorld: World;
    let twin: World;
    const sorted = async (world: World, name: 'tickets' | 'customers') =>
      (await readAll(world.w.c[name])).map(timeless).sort((a, b) => String(a.id).localeCompare(String(b.id)));
    const images = async (world: World) => {
      await world.t.store.ensureCollection(world.ledger.namespace.backups);
      return readAll(world.t.store.collection(world.ledger.namespace.backups));
    };
    const handles = (world: World, name: string) => {
      const d = versionedDerived(world.w.prefix).get(name)!;
      return {
        derived: d,
        target: world.w.of(d.collection),
        source: world.w.of(d.source.collection),
        ledger: world.ledger,
      };
    };

    before(async () => {
      const now = Date.now();
      killedWorld = await openWorld(kind, now);
      twin = await openWorld(kind, now);
    });
    after(async () => {
      for (const world of [killedWorld, twin]) {
        if (!world) continue;
        await world.w.drop();
        await world.ledger.drop();
        await world.t.cleanup();
      }
    });

    test('rebuild --all resumes from its checkpoint after every kill and ends as an uninterrupted one', async (t) => {
      const { report, killed } = await runJob({
        action: 'rebuild',
        store: killedWorld.t.config,
        ledgerPrefix: killedWorld.prefix,
        prefix: killedWorld.w.prefix,
        derived: 'tickets.personName',
        batch: 3,
        leaseTtlMs: 1000,
      });
      t.diagnostic(`killed ${killed} times; the last run resumed after ${report.resumedAt} documents`);
      assert.ok(killed >= kills);
      assert.ok((report.resumedAt ?? 0) > 0, 'the last run resumed from a checkpoint');
      assert.equal(report.examined, 120, 'counts cover the whole job, once each');
      const uninterrupted = await rebuildDerived({
        ...handles(twin, 'tickets.personName'),
        scope: { all: true },
        batch: 3,
      });
      assert.equal(uninterrupted.written, 120);
      assert.deepEqual(await sorted(killedWorld, 'tickets'), await sorted(twin, 'tickets'));
      const written = (await images(killedWorld)).filter((i) =>
        String(i.derived).endsWith('tickets.personName'),
      );
      assert.equal(written.length, 120, 'one before-image per document: none was written twice');
      assert.equal((await checkDrift(handles(killedWorld, 'tickets.personName'))).drift, 0);
      const checkpoints = await readAll(killedWorld.ledger.checkpoints.collection);
      assert.deepEqual(
        checkpoints.filter((c) => String(c.job ?? '').startsWith('rebuild:')),
        [],
        'cleared when done',
      );
    });

    test('drift repair resumes from the open incidents after every kill and ends as an uninterrupted one', async (t) => {
      for (const world of [killedWorld, twin])
        assert.equal((await checkDrift(handles(world, 'customers.openOrders'))).drift, 25);
      const { report, killed } = await runJob({
        action: 'repair',
        store: killedWorld.t.config,
        ledgerPrefix: killedWorld.prefix,
        prefix: killedWorld.w.prefix,
        derived: 'customers.openOrders',
        batch: 1,
        leaseTtlMs: 1000,
      });
      t.diagnostic(`killed ${killed} times; the last run wrote ${report.written}`);
      assert.ok(killed >= kills);
      await repairDrift(handles(twin, 'customers.openOrders'));
      assert.deepEqual(await sorted(killedWorld, 'customers'), await sorted(twin, 'customers'));
      const written = (await images(killedWorld)).filter((i) =>
        String(i.derived).endsWith('customers.openOrders'),
      );
      assert.equal(written.length, 25, 'one before-image per document: none was written twice');
      assert.equal((await checkDrift(handles(killedWorld, 'customers.openOrders'))).drift, 0);
    });

    test('a dual run and a cutover resume after every kill: the same report hash, the same documents', async (t) => {
      const v2 = (world: World) => {
        const d = versionedDerived(world.w.prefix).get('customers.openOrders')!;
        const where = parseFilter({ status: { $in: ['open', 'closed'] } });
        return {
          ...handles(world, 'customers.openOrders'),
          derived: { ...d, version: 2, source: { ...d.source, where } },
        };
      };
      const args = {
        store: killedWorld.t.config,
        ledgerPrefix: killedWorld.prefix,
        prefix: killedWorld.w.prefix,
        derived: 'customers.openOrders',
        batch: 1,
        leaseTtlMs: 1000,
      };
      const dual = await runJob<DualRunReport>({ ...args, action: 'dual-run' });
      const twinDual = await dualRun(v2(twin));
      t.diagnostic(`dual run killed ${dual.killed} times`);
      assert.ok(dual.killed >= kills);
      // Report hashes name the derived state, whose name differs between the worlds: an
      // uninterrupted rerun in the killed world recomputes the hash from scratch.
      const fresh = await dualRun({ ...v2(killedWorld), restart: true });
      assert.equal(fresh.written, 0, 'the killed runs left every shadow right');
      assert.equal(
        dual.report.reportHash,
        fresh.reportHash,
        'the resumed running hash is the uninterrupted one',
      );
      assert.deepEqual(
        [dual.report.documents, dual.report.different],
        [twinDual.documents, twinDual.different],
      );
      const cut = await runJob<CutoverReport>({
        ...args,
        action: 'cutover',
        report: dual.report.reportHash,
      });
      t.diagnostic(`cutover killed ${cut.killed} times`);
      assert.ok(cut.killed >= kills);
      const twinCut = await cutover({ ...v2(twin), report: twinDual.reportHash });
      assert.equal(twinCut.switched, 25);
      assert.equal(cut.report.switched + cut.report.withoutShadow, 25, 'every document switched once');
      assert.deepEqual(await sorted(killedWorld, 'customers'), await sorted(twin, 'customers'));
      assert.equal((await checkDrift(v2(killedWorld))).drift, 0);
    });
  });
}
