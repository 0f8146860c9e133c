/**
 * A drift check and a drift repair asked to stop (their signal aborted) stop after the page or
 * batch in flight, on every selected store: the check records what it read and closes no incident
 * (the pages it did not read may still hold them); the repair leaves the rest of the incidents
 * open, and a rerun goes on with them to the same end as an uninterrupted repair.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { resolveConfig } from '../../src/config/resolve-config.js';
import { checkDrift } from '../../src/derived/check-drift.js';
import type { ResolvedDerived } from '../../src/derived/derived.js';
import { repairDrift } from '../../src/derived/repair-drift.js';
import { exampleCollectionNames } from '../../src/example/case-management-model.js';
import { exampleDerived } from '../../src/example/example-derived.js';
import { generateExample } from '../../src/example/generate-example.js';
import { listIncidents } from '../../src/ledger/incidents.js';
import { type Ledger, openLedger } from '../../src/ledger/ledger.js';
import { openTestStore, selectedKinds, type TestStore } from '../support/test-stores.js';

const stopped = () => {
  const abort = new AbortController();
  abort.abort();
  return abort.signal;
};

for (const kind of selectedKinds()) {
  describe(`drift check and repair stop on request on ${kind}`, () => {
    let t: TestStore;
    let ledger: Ledger;
    let derived: ResolvedDerived;
    const handles = () => ({
      derived,
      target: t.store.collection({ name: derived.collection, keyField: 'id' }),
      source: t.store.collection({ name: derived.source.collection, keyField: 'id' }),
      ledger,
    });
    const openIncidents = async () => {
      let n = 0;
      for await (const _ of listIncidents(await ledger.openCollection('incidents'), {
        subject: derived.name,
        status: 'open',
        kind: 'drift',
      }))
        n++;
      return n;
    };

    before(async () => {
      t = await openTestStore(kind);
      const manifest = await generateExample(t.store, { docs: 600, seed: 11, faults: { drift: 12 } });
      ledger = await openLedger(t.store, { actor: 'test', namespacePrefix: `${t.spec('ledger').name}_` });
      const collections = Object.fromEntries(exampleCollectionNames.map((n) => [n, { key: 'id' }]));
      const config = resolveConfig(
        { stores: { main: { kind: 'sqlite', file: ':memory:' } }, collections, derived: exampleDerived() },
        { baseDir: '/' },
      );
      // The derived state with the most injected drift (not a snapshot: repair leaves those alone).
      const drifted = manifest.faults.filter((f) => f.kind === 'drift');
      const candidates = [...config.derived.values()].filter((d) => d.kind !== 'snapshot');
      const count = (d: ResolvedDerived) =>
        drifted.filter((f) => d.name.startsWith(`${f.collection}.`)).length;
      derived = candidates.sort((a, b) => count(b) - count(a))[0]!;
      assert.ok(count(derived) >= 2, `${derived.name} has ${count(derived)} injected drifts`);
    });
    after(async () => t?.cleanup());

    test('a stopped check reads one page, says so, and closes no incident', async () => {
      const full = await checkDrift({ ...handles(), method: 'exact' });
      assert.ok(full.drift >= 2);
      assert.equal(full.interrupted, undefined);
      const open = await openIncidents();
      assert.equal(open, full.drift);
      const partial = await checkDrift({ ...handles(), method: 'exact', batch: 5, signal: stopped() });
      assert.equal(partial.interrupted, true);
      assert.equal(partial.scanned, 5);
      assert.equal(partial.incidents.closed, 0);
      assert.equal(await openIncidents(), open, 'the incidents on pages not read stay open');
    });

    test('a stopped repair does one batch; a rerun repairs the rest, and a check finds no drift', async () => {
      const open = await openIncidents();
      const first = await repairDrift({ ...handles(), batch: 1, signal: stopped() });
      assert.equal(first.interrupted, true);
      assert.equal(first.examined, 1);
      assert.equal(await openIncidents(), open - first.closed);
      assert.ok(open - first.closed > 0, 'incidents are left for the rerun');
      const rest = await repairDrift({ ...handles(), batch: 1 });
      assert.equal(rest.interrupted, undefined);
      assert.equal(first.closed + rest.closed, open);
      assert.equal(await openIncidents(), 0);
      assert.equal((await checkDrift({ ...handles(), method: 'exact' })).drift, 0);
    });
  });
}
