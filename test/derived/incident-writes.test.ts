/**
 * How many incident writes a recheck costs, on every selected store. On FerretDB's SQLite backend
 * each update of an incident reads the whole incidents collection, so a recheck that rewrote every
 * open drift incident was slower than the first check (which inserts): 1,510 updates took minutes.
 * A recheck of unchanged drift now writes no incident; a changed value is rewritten; a sighting
 * older than the interval is refreshed; closes go in bulk, each still conditional. Writes are
 * counted on the real collections, passed through.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { resolveConfig } from '../../src/config/resolve-config.js';
import { checkDrift } from '../../src/derived/check-drift.js';
import type { ResolvedDerived } from '../../src/derived/derived.js';
import { sightingIntervalMs } from '../../src/derived/record-drift.js';
import { closeIncidents, type Incident, listIncidents } from '../../src/ledger/incidents.js';
import { Ledger, openLedger } from '../../src/ledger/ledger.js';
import type { Collection, CollectionSpec, Store, WriteOp } from '../../src/stores/store.js';
import { openTestStore, selectedKinds, type TestStore } from '../support/test-stores.js';
import { type EcommerceCollections, ecommerceDerived, seedEcommerce } from './fixtures/ecommerce-world.js';

/** Counts the operations written to one collection, passing them through. */
function counting(collection: Collection): {
  collection: Collection;
  calls: () => number;
  ops: () => number;
} {
  let calls = 0;
  let ops = 0;
  const proxy = new Proxy(collection, {
    get(target, prop, receiver) {
      if (prop !== 'write') return Reflect.get(target, prop, receiver);
      return (batch: readonly WriteOp[]) => {
        calls++;
        ops += batch.length;
        return target.write(batch);
      };
    },
  });
  return { collection: proxy, calls: () => calls, ops: () => ops };
}

/** The ledger, with writes to its incidents counted. */
function countingLedger(ledger: Ledger): { ledger: Ledger; ops: () => number } {
  let counted: ReturnType<typeof counting> | undefined;
  const store = new Proxy(ledger.store, {
    get(target, prop, receiver) {
      if (prop !== 'collection') return Reflect.get(target, prop, receiver);
      return (spec: CollectionSpec) => {
        const collection = target.collection(spec);
        if (spec.name !== ledger.namespace.incidents.name) return collection;
        counted ??= counting(collection);
        return counted.collection;
      };
    },
  }) as Store;
  return { ledger: new Ledger(store, ledger.namespace, { actor: 'test' }), ops: () => counted?.ops() ?? 0 };
}

for (const kind of selectedKinds()) {
  describe(`incident writes of drift rechecks on ${kind}`, () => {
    let t: TestStore;
    let ledger: Ledger;
    let specs: EcommerceCollections;
    let total: ResolvedDerived;
    let drifted: number;
    const start = Date.parse('2026-03-01T00:00:00Z');
    const check = (l: Ledger, at: number) =>
      checkDrift({
        derived: total,
        target: t.store.collection(specs.orders),
        source: t.store.collection(specs.orders),
        ledger: l,
        clock: () => start + at,
      });

    before(async () => {
      t = await openTestStore(kind);
      specs = { orders: t.spec('orders'), customers: t.spec('customers'), products: t.spec('products') };
      drifted = (await seedEcommerce(t.store, specs, { orders: 120 })).totalDrift.length;
      const names = {
        orders: specs.orders.name,
        customers: specs.customers.name,
        products: specs.products.name,
      };
      const collections = Object.fromEntries(Object.values(specs).map((s) => [s.name, { key: s.keyField }]));
      total = resolveConfig(
        {
          stores: { main: { kind: 'sqlite', file: ':memory:' } },
          collections,
          derived: ecommerceDerived(names),
        },
        { baseDir: '/' },
      ).derived.get(`${specs.orders.name}.total`)!;
      ledger = await openLedger(t.store, { actor: 'test', namespacePrefix: `${t.spec('ledger').name}_` });
    });
    after(async () => {
      await ledger.drop();
      await t.cleanup();
    });

    test('a recheck of unchanged drift writes no incident; a changed value, or an old sighting, is rewritten', async () => {
      const first = countingLedger(ledger);
      assert.equal((await check(first.ledger, 0)).incidents.opened, drifted);
      assert.equal(first.ops(), drifted);
      const recheck = countingLedger(ledger);
      const again = await check(recheck.ledger, 60_000);
      assert.deepEqual(again.incidents, { opened: 0, updated: drifted, closed: 0 });
      assert.equal(recheck.ops(), 0, 'nothing changed: nothing written');
      const orders = t.store.collection(specs.orders);
      const one = again.findings[0]!;
      await orders.write([{ type: 'patch', key: one.key, set: { total: 123_456 } }]);
      const changed = countingLedger(ledger);
      await check(changed.ledger, 120_000);
      assert.equal(changed.ops(), 1, 'only the incident whose values changed');
      const later = countingLedger(ledger);
      assert.equal((await check(later.ledger, sightingIntervalMs + 120_000)).incidents.updated, drifted);
      assert.equal(later.ops(), drifted, 'a sighting older than the interval is refreshed');
    });

    test('closing incidents goes in bulk writes, each still conditional on its revision', async () => {
      const incidents = ledger.store.collection(ledger.namespace.incidents);
      const open: Incident[] = [];
      for await (const i of listIncidents(incidents, { subject: total.name, status: 'open' })) open.push(i);
      assert.equal(open.length, drifted);
      const stale = { ...open[0]!, revision: open[0]!.revision - 1 };
      const closing = counting(incidents);
      const closed = await closeIncidents(
        closing.collection,
        [stale, ...open.slice(1)].map((incident) => ({ incident, resolution: { action: 'gone' } })),
        new Date().toISOString(),
      );
      assert.equal(closed, drifted - 1, 'the one changed since it was read stays open');
      assert.equal(closing.calls(), Math.ceil(drifted / 50));
      const left: Incident[] = [];
      for await (const i of listIncidents(incidents, { subject: total.name, status: 'open' })) left.push(i);
      assert.deepEqual(
        left.map((i) => i.id),
        [open[0]!.id],
      );
    });
  });
}
