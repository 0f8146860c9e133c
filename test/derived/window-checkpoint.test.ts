/**
 * The `window` and `checkpoint` drift methods on every selected store, on a world whose sources
 * carry `updatedAt` and `version` (see fixtures/versioned-world.ts). Source changes are made inside
 * and outside a 7-day window, one without any effect on the value (a version raised, the value
 * the same), and one derived value is patched by hand. Window finds exactly the drift whose source
 * changed inside the window and reads only the changed source documents; checkpoint finds exactly
 * the drift whose stamped source version is behind, wherever in time; neither sees the hand patch,
 * which exact does. Repair stamps the new source version, so a recheck by checkpoint is clean.
 * Declarations missing the fields a method needs are refused, naming the config path.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { resolveConfig } from '../../src/config/resolve-config.js';
import type { JsonObject } from '../../src/core/json.js';
import { checkDrift } from '../../src/derived/check-drift.js';
import type { ResolvedDerived } from '../../src/derived/derived.js';
import type { DriftReport } from '../../src/derived/drift-report.js';
import { repairDrift } from '../../src/derived/repair-drift.js';
import { type Ledger, openLedger } from '../../src/ledger/ledger.js';
import { openTestStore, selectedKinds, type TestStore } from '../support/test-stores.js';
import {
  day,
  seedVersionedWorld,
  touch,
  type VersionedWorld,
  versionedDerived,
  worldPrefix,
} from './fixtures/versioned-world.js';

/** Tickets whose person is p-<n>: ticket i points at person (i * 7) % 30. */
const ticketsOf = (n: number) =>
  Array.from({ length: 120 }, (_, i) => i)
    .filter((i) => (i * 7) % 30 === n)
    .map((i) => `t-${String(i).padStart(3, '0')}`);

const keys = (r: DriftReport) => r.findings.map((f) => String(f.key)).sort();

for (const kind of selectedKinds()) {
  describe(`window and checkpoint drift methods on ${kind}`, () => {
    let t: TestStore;
    let ledger: Ledger;
    let w: VersionedWorld;
    const prefix = worldPrefix();
    const derived = versionedDerived(prefix);
    const tickets = derived.get('tickets.personName')!;
    const customers = derived.get('customers.openOrders')!;
    const handles = (d: ResolvedDerived) => ({
      derived: d,
      target: w.of(d.collection),
      source: w.of(d.source.collection),
      ledger,
    });

    before(async () => {
      t = await openTestStore(kind);
      ledger = await openLedger(t.store, { actor: 'test', namespacePrefix: `${t.spec('ledger').name}_` });
      w = await seedVersionedWorld(t.store, prefix);
      const recent = w.now - day;
      const longAgo = w.now - 20 * day;
      await touch(w.c.people, 'p-003', { name: 'Renamed 3' }, recent);
      await touch(w.c.people, 'p-007', { name: 'Renamed 7' }, longAgo);
      await touch(w.c.people, 'p-009', {}, recent); // a new version, the same name
      await touch(w.c.orders, 'o-001', { status: 'closed' }, recent); // c-001 loses one
      await touch(w.c.orders, 'o-002', { status: 'closed' }, longAgo); // c-002 loses one
      await touch(w.c.orders, 'o-004', {}, recent); // c-004: a new version, the same count
      await w.c.customers.write([{ type: 'patch', key: 'c-010', set: { openOrders: 99 } }]);
    });
    after(async () => {
      await w.drop();
      await ledger.drop();
      await t.cleanup();
    });

    test('window finds exactly the drift whose source changed inside it, reading only changed sources', async () => {
      const copy = await checkDrift({ ...handles(tickets), method: 'window', windowMs: 7 * day });
      assert.deepEqual(keys(copy), ticketsOf(3));
      assert.equal(copy.window?.changedSources, 2, 'p-003 and p-009, not p-007');
      assert.equal(copy.window?.derivedKeys, ticketsOf(3).length + ticketsOf(9).length);
      assert.equal(copy.checked, copy.window?.derivedKeys);
      const found = copy.findings.find((f) => f.key === ticketsOf(3)[0]);
      assert.deepEqual([found?.expected, found?.actual], ['Renamed 3', 'Person 3']);

      const count = await checkDrift({ ...handles(customers), method: 'window', windowMs: 7 * day });
      assert.deepEqual(keys(count), ['c-001']);
      assert.deepEqual([count.window?.changedSources, count.window?.derivedKeys], [2, 2]);
      assert.equal(count.scanned, 2, 'only c-001 and c-004 were read');
      assert.equal(count.incidents.opened, 1);

      const wider = await checkDrift({ ...handles(customers), method: 'window', windowMs: 25 * day });
      assert.deepEqual(keys(wider), ['c-001', 'c-002']);
      const declared = versionedDerived(prefix, { validation: { method: 'window', days: 25 } });
      const byDeclaration = await checkDrift({
        ...handles(declared.get('tickets.personName')!),
        method: 'window',
      });
      assert.deepEqual(keys(byDeclaration), [...ticketsOf(3), ...ticketsOf(7)].sort());
    });

    test('checkpoint finds exactly the drift behind its source version, and not the hand patch', async () => {
      const copy = await checkDrift({ ...handles(tickets), method: 'checkpoint' });
      assert.deepEqual(keys(copy), [...ticketsOf(3), ...ticketsOf(7)].sort());
      assert.equal(copy.checkpoint?.behind, ticketsOf(3).length + ticketsOf(7).length + ticketsOf(9).length);
      assert.equal(copy.scanned, 120);
      const count = await checkDrift({ ...handles(customers), method: 'checkpoint' });
      assert.deepEqual(keys(count), ['c-001', 'c-002']);
      assert.equal(count.checkpoint?.behind, 3, 'c-001, c-002 and c-004');
      const exact = await checkDrift({ ...handles(customers), method: 'exact' });
      assert.deepEqual(keys(exact), ['c-001', 'c-002', 'c-010'], 'only exact sees the hand patch');
    });

    test('repair stamps the source version; a checkpoint recheck finds no drift', async () => {
      for (const d of [tickets, customers]) await repairDrift(handles(d));
      const doc = [...(await w.c.tickets.getMany([ticketsOf(3)[0]!])).values()][0] as JsonObject;
      const meta = (doc._projection as JsonObject).personName as JsonObject;
      assert.deepEqual([doc.personName, meta.sourceVersion, meta.by], ['Renamed 3', 2, 'drift repair']);
      const copy = await checkDrift({ ...handles(tickets), method: 'checkpoint' });
      assert.equal(copy.drift, 0);
      assert.equal(copy.checkpoint?.behind, ticketsOf(9).length, 'only the unchanged values stay behind');
      const count = await checkDrift({ ...handles(customers), method: 'checkpoint' });
      assert.equal(count.drift, 0);
      assert.equal(count.checkpoint?.behind, 1, 'c-004');
    });
  });
}

describe('declarations for window and checkpoint', () => {
  const resolve = (source: object, validation: unknown) => () =>
    resolveConfig(
      {
        stores: { main: { kind: 'sqlite', file: ':memory:' } },
        collections: { people: { key: 'id' }, tickets: { key: 'id' } },
        derived: {
          'tickets.personName': {
            kind: 'copy',
            source: { collection: 'people', ...source },
            transform: { copy: 'name', via: 'personId' },
            validation,
          },
        },
      },
      { baseDir: '/' },
    );

  test('window without changedAt and checkpoint without a version field are config errors naming the path', () => {
    assert.throws(
      resolve({}, 'window'),
      /derived\.tickets\.personName\.source\.changedAt: is required by validation 'window'/,
    );
    assert.throws(
      resolve({}, 'checkpoint'),
      /derived\.tickets\.personName\.source\.version: is required by validation 'checkpoint'/,
    );
    assert.throws(resolve({ changedAt: 'updatedAt' }, { method: 'window', days: -1 }), /validation\.days/);
    const ok = resolve({ changedAt: 'updatedAt' }, { method: 'window', days: 7 })();
    assert.equal(ok.derived.get('tickets.personName')?.windowMs, 7 * 86_400_000);
    assert.equal(ok.derived.get('tickets.personName')?.validation, 'window');
    assert.doesNotThrow(resolve({ changedAt: 'updatedAt' }, 'checkpoint'));
  });
});
