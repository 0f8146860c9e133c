/**
 * kill -9 during `refs repair --undo`: a child process (fixtures/undo-child.ts) undoes a nullify
 * run of 60 documents in batches of 2, slowed, and is SIGKILLed after 1 to 3 batches plus up to
 * 30 ms, 6 times; the next child waits out the killed one's lease and resumes from the
 * checkpoint. The end state is the one of a twin world where the same repair and undo ran
 * uninterrupted: the same documents (two changed since the repair are conflicts, left alone in
 * both), the same incidents open, the same counts, and the audit chain verifies.
 *
 * Runs on SQLite and DynamoDB Local (STEWARD_CRASH_STORES overrides, such as
 * `sqlite,dynamodb,mongodb` for FerretDB too; intersected with the selected stores).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { canonicalJson, type JsonObject } from '../../src/core/json.js';
import { repairReference } from '../../src/integrity/repair/repair-reference.js';
import { undoRepairRun } from '../../src/integrity/undo/undo-repair-run.js';
import type { UndoReport } from '../../src/integrity/undo/undo-report.js';
import { listIncidents } from '../../src/ledger/incidents.js';
import type { StoreKind } from '../../src/stores/store.js';
import { crashKinds, runWithKills } from '../support/kill-loop.js';
import { readAll } from '../support/read-all.js';
import type { UndoChildArgs } from './fixtures/undo-child.js';
import { type Fixture, openFixture, reference, repairContext, scanInto } from './integrity-fixture.js';

const child = new URL('./fixtures/undo-child.ts', import.meta.url).pathname;
const kills = 6;
const docs = 60;
const ref = reference('profiles.accountId', 'nullify');
const changedSince = ['p07', 'p31'];

/** A world with `docs` orphaned profiles and one valid one, repaired by nullify, then two edited. */
async function repairedWorld(kind: StoreKind): Promise<{ f: Fixture; run: string; original: string }> {
  const f = await openFixture(kind);
  await f.seed('accounts', [{ key: 'a1', status: 'active' }]);
  const profiles: (JsonObject & { key: string })[] = [{ key: 'p-valid', accountId: 'a1', name: 'valid' }];
  for (let n = 0; n < docs; n++)
    profiles.push({ key: `p${String(n).padStart(2, '0')}`, accountId: `gone-${n % 7}`, name: `n${n}` });
  await f.seed('profiles', profiles);
  await scanInto(f, ref);
  const original = await f.checksum(['profiles', 'accounts']);
  const repaired = await repairReference(repairContext(f), ref, { batchSize: 10 });
  assert.equal(repaired.counts.done, docs);
  await f
    .collection('profiles')
    .write(changedSince.map((key) => ({ type: 'patch' as const, key, set: { name: 'edited since' } })));
  return { f, run: repaired.run!, original };
}

/** A collection's documents, canonical and sorted: equal when the contents are equal. */
async function contents(f: Fixture, name: 'profiles' | 'accounts'): Promise<string[]> {
  return (await readAll(f.collection(name))).map(canonicalJson).sort();
}

async function incidentStates(f: Fixture): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for await (const i of listIncidents(f.incidents(), { subject: ref.name })) out[String(i.key)] = i.status;
  return out;
}

for (const kind of crashKinds()) {
  describe(`kill -9 during refs repair --undo on ${kind}`, { timeout: 300_000 }, () => {
    let killed: Awaited<ReturnType<typeof repairedWorld>>;
    let twin: Awaited<ReturnType<typeof repairedWorld>>;
    before(async () => {
      killed = await repairedWorld(kind);
      twin = await repairedWorld(kind);
    });
    after(async () => {
      for (const w of [killed, twin]) await w?.f.cleanup();
    });

    test('the undo resumes after every kill and ends as an uninterrupted undo', async () => {
      const args: UndoChildArgs = {
        store: killed.f.tl.t.config,
        ledgerPrefix: killed.f.tl.prefix,
        specs: killed.f.specs,
        run: killed.run,
        batch: 2,
        leaseTtlMs: 1000,
      };
      const { report, killed: times } = await runWithKills<UndoReport>({
        script: child,
        args,
        kills,
        maxDelayMs: 30,
        label: 'undo',
      });
      assert.ok(times >= kills, `killed ${times} times`);
      assert.equal(report.status, 'done');
      assert.equal(report.resumed, true);

      const uninterrupted = await undoRepairRun(repairContext(twin.f), { run: twin.run, batchSize: 2 });
      assert.deepEqual(report.counts, uninterrupted.counts);
      assert.deepEqual(
        [report.counts.restored, report.counts.conflict],
        [docs - changedSince.length, changedSince.length],
      );
      assert.equal(report.reopened, uninterrupted.reopened);
      for (const name of ['profiles', 'accounts'] as const)
        assert.deepEqual(
          await contents(killed.f, name),
          await contents(twin.f, name),
          `${name}: the same documents as after an uninterrupted undo`,
        );
      assert.deepEqual(await incidentStates(killed.f), await incidentStates(twin.f));
      const p00 = await killed.f.get('profiles', 'p00');
      assert.equal(p00?.accountId, 'gone-0', 'put back');
      const p07 = await killed.f.get('profiles', 'p07');
      assert.deepEqual([p07?.accountId, p07?.name], [null, 'edited since'], 'a conflict is left alone');
      assert.equal((await killed.f.tl.ledger.audit.verify()).ok, true);
      const audited = new Set<string>();
      for await (const r of killed.f.tl.ledger.audit.records())
        if (r.action === 'refs.repair.undo') audited.add(String(r.details.key));
      const restored = Object.entries(await incidentStates(twin.f)).filter(([, status]) => status === 'open');
      assert.equal(restored.length, docs - changedSince.length);
      for (const [key] of restored) assert.ok(audited.has(key), `${key}: its undo is audited at least once`);

      // Without the two edits, the collections would be exactly the original.
      await killed.f.collection('profiles').write(
        changedSince.map((key) => ({
          type: 'patch' as const,
          key,
          set: { name: `n${Number(key.slice(1))}`, accountId: `gone-${Number(key.slice(1)) % 7}` },
        })),
      );
      assert.equal(await killed.f.checksum(['profiles', 'accounts']), killed.original);
    });
  });
}
