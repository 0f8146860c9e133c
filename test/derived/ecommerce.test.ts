/**
 * Derived state as real documents hold it, on every selected store, against the e-commerce data
 * set of `fixtures/ecommerce-world.ts` (written through the store, with its problems counted as
 * planted): values in array elements (`orders.lines[].line_total` by position,
 * `orders.lines[].product_name` keyed by SKU), a value computed from the order's own lines
 * (`orders.total`, `source: 'self'`), and a snapshot (`orders.customer_name_at_order`).
 *
 * Exact and hash checks find exactly what was planted, element by element; a snapshot's
 * differences from its source are information and its missing values the findings; a rescan
 * rewrites no incident; drift incidents list in pages; `rebuild --id` and `drift repair` touch
 * only the drifted elements; repairing line totals makes exactly the planted totals drift, which
 * repair fixes; a missing snapshot is filled only when forced; metadata kept in the ledger leaves
 * the documents as the application wrote them, and `derived status` reads it there; a path
 * through an array declared without `[]` is refused.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { resolveConfig } from '../../src/config/resolve-config.js';
import { canonicalJson, type JsonObject } from '../../src/core/json.js';
import { checkDrift } from '../../src/derived/check-drift.js';
import type { ResolvedDerived } from '../../src/derived/derived.js';
import { listDriftIncidents } from '../../src/derived/drift-incidents.js';
import type { DriftFinding, DriftReport } from '../../src/derived/drift-report.js';
import { rebuildDerived } from '../../src/derived/rebuild-derived.js';
import { repairDrift } from '../../src/derived/repair-drift.js';
import { derivedStatus } from '../../src/derived/status/derived-status.js';
import { isStewardError } from '../../src/errors/steward-error.js';
import { type Incident, listIncidents } from '../../src/ledger/incidents.js';
import { Ledger, openLedger } from '../../src/ledger/ledger.js';
import { scanDocuments } from '../../src/stores/scan-pages.js';
import type { Collection, CollectionSpec, DocKey, Store, WriteOp } from '../../src/stores/store.js';
import { openTestStore, selectedKinds, type TestStore } from '../support/test-stores.js';
import {
  type EcommerceCollections,
  type EcommercePlanted,
  ecommerceDerived,
  type PlantedValue,
  seedEcommerce,
} from './fixtures/ecommerce-world.js';

/** The declarations, resolved as the CLI would, with extra settings per declaration suffix. */
function declarations(
  specs: EcommerceCollections,
  extra: Record<string, object> = {},
): Map<string, ResolvedDerived> {
  const names = { orders: specs.orders.name, customers: specs.customers.name, products: specs.products.name };
  const raw = ecommerceDerived(names);
  const derived = Object.fromEntries(
    Object.entries(raw).map(([name, d]) => [
      name,
      { ...d, ...(extra[name.slice(names.orders.length + 1)] ?? {}) },
    ]),
  );
  const collections = Object.fromEntries(Object.values(specs).map((s) => [s.name, { key: s.keyField }]));
  const config = resolveConfig(
    { stores: { main: { kind: 'sqlite', file: ':memory:' } }, collections, derived },
    { baseDir: '/' },
  );
  return new Map([...config.derived].map(([name, d]) => [name.slice(names.orders.length + 1), d]));
}

/** A finding as a line: where (document, element position and key) and the two values. */
const findingLine = (f: DriftFinding) =>
  `${canonicalJson(f.key)}|${f.element?.index ?? ''}|${f.element?.key ?? ''}|${canonicalJson(f.expected)}|${canonicalJson(f.actual)}`;
const plantedLine = (p: PlantedValue) =>
  `${canonicalJson(p.key)}|${p.index ?? ''}|${p.sku ?? ''}|${canonicalJson(p.expected)}|${canonicalJson(p.actual)}`;
const lines = (findings: readonly DriftFinding[]) => findings.map(findingLine).sort();
const planted = (values: readonly PlantedValue[]) => values.map(plantedLine).sort();

/** A ledger whose incident writes are counted (the store underneath is the real one). */
function countingLedger(ledger: Ledger): { ledger: Ledger; written: () => number } {
  let ops = 0;
  const incidents = ledger.namespace.incidents.name;
  const store = new Proxy(ledger.store, {
    get(target, prop, receiver) {
      if (prop !== 'collection') return Reflect.get(target, prop, receiver);
      return (spec: CollectionSpec) => {
        const collection = target.collection(spec);
        if (spec.name !== incidents) return collection;
        return new Proxy(collection, {
          get(c, p, r) {
            if (p !== 'write') return Reflect.get(c, p, r);
            return (batch: readonly WriteOp[]) => {
              ops += batch.length;
              return c.write(batch);
            };
          },
        }) as Collection;
      };
    },
  }) as Store;
  return { ledger: new Ledger(store, ledger.namespace, { actor: 'test' }), written: () => ops };
}

for (const kind of selectedKinds()) {
  describe(`derived state of real documents (e-commerce) on ${kind}`, () => {
    let t: TestStore;
    let ledger: Ledger;
    let specs: EcommerceCollections;
    let plan: EcommercePlanted;
    let derived: Map<string, ResolvedDerived>;
    const handles = (d: ResolvedDerived, l: Ledger = ledger) => ({
      derived: d,
      target: t.store.collection(specs.orders),
      source: t.store.collection(
        d.source.collection === specs.customers.name
          ? specs.customers
          : d.source.collection === specs.products.name
            ? specs.products
            : specs.orders,
      ),
      ledger: l,
    });
    const check = (name: string, extra: object = {}) =>
      checkDrift({ ...handles(derived.get(name)!), ...extra });
    const orderDoc = async (key: DocKey) =>
      [...(await t.store.collection(specs.orders).getMany([key])).values()][0] as JsonObject;

    before(async () => {
      t = await openTestStore(kind);
      specs = { orders: t.spec('orders'), customers: t.spec('customers'), products: t.spec('products') };
      plan = await seedEcommerce(t.store, specs);
      derived = declarations(specs);
      ledger = await openLedger(t.store, { actor: 'test', namespacePrefix: `${t.spec('ledger').name}_` });
    });
    after(async () => {
      await ledger.drop();
      await t.cleanup();
    });

    test('the data set plants every kind of problem', () => {
      for (const [what, n] of Object.entries({
        lineTotalDrift: plan.lineTotalDrift.length,
        productNameDrift: plan.productNameDrift.length,
        totalDrift: plan.totalDrift.length,
        snapshotDiffers: plan.snapshotDiffers.length,
        snapshotMissing: plan.snapshotMissing.length,
        customerOrphans: plan.customerOrphans.length,
        customerUnlinked: plan.customerUnlinked.length,
        productOrphans: plan.productOrphans.length,
        linesWithoutSku: plan.linesWithoutSku.length,
        nullQtyLines: plan.nullQtyLines,
      }))
        assert.ok(n > 0, what);
    });

    test('exact and hash checks find exactly what was planted, element by element', async () => {
      for (const method of ['exact', 'hash'] as const) {
        const extra = { method, groupSize: 5 };
        const lineTotal = await check('lines[].line_total', extra);
        assert.deepEqual(lines(lineTotal.findings), planted(plan.lineTotalDrift), method);
        assert.equal(lineTotal.drift, plan.lineTotalDrift.length);
        assert.equal(
          lineTotal.failed + lineTotal.orphans,
          0,
          'a null qty gives a null total, which is right',
        );
        const productName = await check('lines[].product_name', extra);
        assert.deepEqual(lines(productName.findings), planted(plan.productNameDrift), method);
        assert.equal(productName.orphans, plan.productOrphans.length, method);
        assert.equal(productName.failed, plan.linesWithoutSku.length, method);
        assert.ok(productName.failures.every((f) => /has no sku to tell it apart/.test(f.reason)));
        const total = await check('total', extra);
        assert.deepEqual(lines(total.findings), planted(plan.totalDrift), method);
        const snapshot = await check('customer_name_at_order', extra);
        assert.equal(snapshot.drift, 0, `${method}: a snapshot never drifts`);
        assert.deepEqual(lines(snapshot.findings), planted(plan.snapshotMissing), method);
        assert.ok(snapshot.findings.every((f) => f.kind === 'missing-snapshot'));
        assert.deepEqual(snapshot.snapshot && { ...snapshot.snapshot, differences: undefined }, {
          differsFromSource: plan.snapshotDiffers.length,
          missing: plan.snapshotMissing.length,
          differences: undefined,
        });
        assert.equal(snapshot.orphans, plan.customerOrphans.length, method);
        assert.equal(snapshot.unlinked, plan.customerUnlinked.length, `${method}: null links apart`);
        if (method === 'exact') {
          assert.equal(lineTotal.checked, plan.counts.lines, 'one value per line');
          assert.equal(lineTotal.incidents.opened, plan.lineTotalDrift.length);
          assert.equal(snapshot.incidents.opened, plan.snapshotMissing.length);
        }
      }
    });

    test('a value computed from its own document reads no other collection', async () => {
      const unreadable = new Proxy(t.store.collection(specs.products), {
        get(target, prop, receiver) {
          if (['scan', 'getMany', 'existingKeys', 'count'].includes(String(prop)))
            return () => Promise.reject(new Error(`the source was read (${String(prop)})`));
          return Reflect.get(target, prop, receiver);
        },
      });
      for (const name of ['lines[].line_total', 'total']) {
        const report = await checkDrift({ ...handles(derived.get(name)!), source: unreadable });
        assert.equal(report.failed, 0, name);
      }
    });

    test('a rescan of unchanged problems rewrites no incident', async () => {
      const counting = countingLedger(ledger);
      const reports: DriftReport[] = [];
      for (const d of derived.values()) reports.push(await checkDrift(handles(d, counting.ledger)));
      const found =
        plan.lineTotalDrift.length +
        plan.productNameDrift.length +
        plan.totalDrift.length +
        plan.snapshotMissing.length;
      assert.equal(
        reports.reduce((n, r) => n + r.incidents.updated, 0),
        found,
      );
      assert.equal(
        reports.reduce((n, r) => n + r.incidents.opened + r.incidents.closed, 0),
        0,
      );
      assert.equal(counting.written(), 0, 'nothing changed, so nothing is written');
    });

    test('drift incidents are listed by derived state, kind, status and age, in pages', async () => {
      const incidents = ledger.store.collection(ledger.namespace.incidents);
      const now = new Date().toISOString();
      const name = derived.get('lines[].line_total')!.name;
      const seen: Incident[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const page = await listDriftIncidents(incidents, {
          derived: [name],
          limit: 2,
          now,
          ...(cursor ? { cursor } : {}),
        });
        assert.ok(page.incidents.length <= 2);
        seen.push(...page.incidents);
        cursor = page.next ?? undefined;
        pages++;
      } while (cursor);
      assert.equal(pages, Math.ceil(plan.lineTotalDrift.length / 2));
      assert.deepEqual(
        seen.map((i) => `${canonicalJson(i.key)}|${i.element}`).sort(),
        plan.lineTotalDrift.map((p) => `${canonicalJson(p.key)}|${p.index}`).sort(),
      );
      const snapshotName = derived.get('customer_name_at_order')!.name;
      const missing = await listDriftIncidents(incidents, {
        derived: [name, snapshotName],
        kind: 'snapshot-missing',
        limit: 1000,
        now,
      });
      assert.equal(missing.incidents.length, plan.snapshotMissing.length);
      assert.equal(missing.next, null);
      const all = { derived: [...derived.values()].map((d) => d.name), limit: 1000, now };
      assert.equal((await listDriftIncidents(incidents, { ...all, status: 'closed' })).incidents.length, 0);
      assert.equal(
        (await listDriftIncidents(incidents, { ...all, olderThanMs: 3_600_000 })).incidents.length,
        0,
      );
      assert.equal(
        (await listDriftIncidents(incidents, { ...all, newerThanMs: 3_600_000 })).incidents.length,
        plan.lineTotalDrift.length +
          plan.productNameDrift.length +
          plan.totalDrift.length +
          plan.snapshotMissing.length,
      );
    });

    test('rebuild --id of one order writes only its drifted elements', async () => {
      const d = derived.get('lines[].line_total')!;
      const target = plan.lineTotalDrift[0]!;
      const inOrder = plan.lineTotalDrift.filter((p) => canonicalJson(p.key) === canonicalJson(target.key));
      const before = await orderDoc(target.key);
      const report = await rebuildDerived({ ...handles(d), scope: { ids: [target.key] } });
      assert.equal(report.written, inOrder.length);
      assert.equal(report.closed, inOrder.length, 'their incidents are closed');
      const afterDoc = await orderDoc(target.key);
      const expected = structuredClone(before);
      for (const p of inOrder)
        ((expected.lines as JsonObject[])[p.index!] as JsonObject).line_total = p.expected;
      const { _projection, ...rest } = afterDoc;
      assert.deepEqual(rest, expected, 'nothing else in the order changed');
      assert.equal(((_projection as JsonObject)['lines[]'] as JsonObject).line_total !== undefined, true);
    });

    test('repair fixes the lines; then exactly the planted totals drift, and repair fixes them', async () => {
      const lineTotal = await repairDrift(handles(derived.get('lines[].line_total')!));
      const inRebuilt = plan.lineTotalDrift.filter(
        (p) => canonicalJson(p.key) === canonicalJson(plan.lineTotalDrift[0]!.key),
      ).length;
      assert.equal(lineTotal.written, plan.lineTotalDrift.length - inRebuilt);
      const productName = await repairDrift(handles(derived.get('lines[].product_name')!));
      assert.equal(productName.written, plan.productNameDrift.length);
      for (const name of ['lines[].line_total', 'lines[].product_name'])
        assert.equal((await check(name)).drift, 0, name);
      const totals = await check('total');
      assert.deepEqual(lines(totals.findings), planted(plan.totalDriftAfterLineRepair));
      const fixed = await repairDrift(handles(derived.get('total')!));
      assert.equal(fixed.written, plan.totalDriftAfterLineRepair.length);
      assert.equal((await check('total', { method: 'hash', groupSize: 5 })).drift, 0);
      const p = plan.productNameDrift[0]!;
      const line = ((await orderDoc(p.key)).lines as JsonObject[])[p.index!] as JsonObject;
      assert.equal(line.product_name, p.expected, 'the element keyed by its SKU was written');
    });

    test('a missing snapshot is a finding, filled only when forced; its differences stay as taken', async () => {
      const d = derived.get('customer_name_at_order')!;
      const status = await derivedStatus({
        derived: d,
        target: t.store.collection(specs.orders),
        incidents: ledger.store.collection(ledger.namespace.incidents),
        ledger,
        now: new Date().toISOString(),
      });
      assert.equal(status.state, 'not-applicable');
      assert.equal(status.incidentKind, 'snapshot-missing');
      assert.equal(status.openIncidents, plan.snapshotMissing.length);
      const kept = await repairDrift(handles(d));
      assert.equal(kept.written, 0);
      assert.equal(kept.skipped, plan.snapshotMissing.length);
      const forced = await repairDrift({ ...handles(d), force: true });
      assert.equal(forced.written, plan.snapshotMissing.length);
      const after = await check('customer_name_at_order');
      assert.equal(after.drift + after.snapshot!.missing, 0);
      assert.equal(after.snapshot!.differsFromSource, plan.snapshotDiffers.length);
      for (const p of plan.snapshotDiffers)
        assert.equal((await orderDoc(p.key)).customer_name_at_order, p.actual, 'kept as taken');
      const open: Incident[] = [];
      for await (const i of listIncidents(ledger.store.collection(ledger.namespace.incidents), {
        status: 'open',
      }))
        open.push(i);
      assert.deepEqual(open, []);
    });

    test("a path through an array declared without '[]' is refused, naming the form that works", async () => {
      const raw = declarations(specs).get('lines[].line_total')!;
      const wrong: ResolvedDerived = {
        ...raw,
        name: `${specs.orders.name}.lines.line_total`,
        field: 'lines.line_total',
        element: undefined,
      };
      await assert.rejects(
        checkDrift(handles(wrong)),
        (error: unknown) =>
          isStewardError(error, 'config.invalid') &&
          error.message.includes(`'${specs.orders.name}.lines[].line_total'`) &&
          error.message.includes('"lines" is an array'),
      );
    });

    test('metadata kept in the ledger leaves the documents as written; status reads it there', async () => {
      const other: EcommerceCollections = {
        orders: t.spec('orders_m'),
        customers: t.spec('customers_m'),
        products: t.spec('products_m'),
      };
      const mplan = await seedEcommerce(t.store, other, { orders: 40 });
      const d = declarations(other, { total: { metadata: 'ledger' } }).get('total')!;
      const h = {
        derived: d,
        target: t.store.collection(other.orders),
        source: t.store.collection(other.orders),
        ledger,
      };
      assert.equal((await checkDrift(h)).drift, mplan.totalDrift.length);
      const repaired = await repairDrift(h);
      assert.equal(repaired.written, mplan.totalDrift.length);
      for await (const doc of scanDocuments(h.target, { limit: 100 }))
        assert.equal(doc._projection, undefined, 'no metadata in the document');
      const status = await derivedStatus({
        ...h,
        incidents: ledger.store.collection(ledger.namespace.incidents),
        now: new Date().toISOString(),
      });
      assert.equal(status.documents, mplan.counts.orders);
      assert.equal(status.documents - status.withoutMetadata, mplan.totalDrift.length);
      assert.equal((await checkDrift(h)).drift, 0);
    });
  });
}
