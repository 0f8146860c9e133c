/**
 * A scan whose target was preloaded checks its pages in groups with one lookup a group (issue 17:
 * on DynamoDB a lookup per page was a BatchGetItem for a key or two), and still finds and reports
 * what a scan without the preload finds, including after a stop and resume mid-group. Runs on
 * every selected store.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { JsonObject } from '../../src/core/json.js';
import type { ResolvedReference } from '../../src/integrity/reference.js';
import { pagesPerLookup } from '../../src/integrity/scan/checked-pages.js';
import { scanReference } from '../../src/integrity/scan/scan-reference.js';
import type { ReferenceScanReport } from '../../src/integrity/scan/scan-report.js';
import { listIncidents } from '../../src/ledger/incidents.js';
import { type Ledger, openLedger } from '../../src/ledger/ledger.js';
import type { Collection } from '../../src/stores/store.js';
import { openTestStore, selectedKinds, type TestStore } from '../support/test-stores.js';

const pages = 30;
const batch = 50;

for (const kind of selectedKinds()) {
  describe(`refs scan lookups with a preloaded target on ${kind}`, () => {
    let t: TestStore;
    let source: Collection;
    let target: Collection;
    let reference: ResolvedReference;
    const ledgers: Ledger[] = [];
    const orphans: string[] = [];

    before(async () => {
      t = await openTestStore(kind);
      source = t.store.collection(t.spec('gl_sources'));
      target = t.store.collection(t.spec('gl_targets'));
      for (const c of [source, target]) await t.store.ensureCollection(c.spec);
      const key = target.spec.keyField;
      const targets = Array.from({ length: 100 }, (_, i) => `c${i}`);
      await target.write(targets.map((id) => ({ type: 'insert', doc: { [key]: id } })));
      // One orphan a page's worth of sources, so a lookup per page would be one per page.
      const docs: JsonObject[] = Array.from({ length: pages * batch }, (_, i) => {
        const orphan = i % batch === 7;
        if (orphan) orphans.push(`gone${i}`);
        return {
          [source.spec.keyField]: `s${String(i).padStart(5, '0')}`,
          caseId: orphan ? `gone${i}` : targets[i % 100]!,
        };
      });
      await source.write(docs.map((doc) => ({ type: 'insert', doc })));
      reference = {
        name: 'gl.caseId',
        collection: source.spec.name,
        field: 'caseId',
        target: target.spec.name,
        owner: 'test',
        onMissing: 'flag',
        required: false,
      };
    });
    after(async () => {
      for (const ledger of ledgers) await ledger.drop();
      await t?.cleanup();
    });

    async function scan(ledger: Ledger, signal?: AbortSignal, onBatch?: (scanned: number) => void) {
      return scanReference({
        reference,
        source,
        target,
        ledger,
        holder: `test-${process.pid}`,
        batch,
        pushdown: false,
        ...(signal ? { signal } : {}),
        onEvent: (event) => {
          if (event.type === 'batch') onBatch?.(event.scanned);
        },
      });
    }

    async function newLedger(): Promise<Ledger> {
      const ledger = await openLedger(t.store, {
        actor: 'test',
        namespacePrefix: `gl${ledgers.length}_${t.spec('x').name}_`,
      });
      ledgers.push(ledger);
      return ledger;
    }

    async function openKeys(ledger: Ledger): Promise<string[]> {
      const keys: string[] = [];
      for await (const i of listIncidents(t.store.collection(ledger.namespace.incidents)))
        if (i.status === 'open') keys.push(...(i.detail.missing as string[]));
      return keys.sort();
    }

    const outcome = (r: ReferenceScanReport) => ({
      scanned: r.scanned,
      ok: r.ok,
      orphans: r.orphans,
      typeMismatches: r.typeMismatches,
      distinctMissingKeys: r.distinctMissingKeys,
    });

    test('one lookup for each group of pages, every orphan found', async () => {
      const ledger = await newLedger();
      const report = await scan(ledger);
      assert.ok(report.batches >= pages, `${report.batches} batches`); // a store may end on an empty page
      assert.equal(report.orphans, orphans.length);
      assert.equal(report.ok, pages * batch - orphans.length);
      assert.deepEqual(await openKeys(ledger), [...orphans].sort());
      assert.ok(
        report.lookups <= Math.ceil(report.batches / pagesPerLookup),
        `${report.lookups} lookups for ${report.batches} pages each holding an orphan`,
      );
    });

    test('stopped mid-group and resumed, the report and incidents are those of one run', async () => {
      const whole = await scan(await newLedger());
      const ledger = await newLedger();
      const stop = new AbortController();
      const first = await scan(ledger, stop.signal, (scanned) => {
        if (scanned >= 13 * batch) stop.abort();
      });
      assert.equal(first.interrupted, true);
      assert.ok(first.scanned < pages * batch);
      const resumed = await scan(ledger);
      assert.equal(resumed.resumed, true);
      assert.deepEqual(outcome(resumed), outcome(whole));
      assert.deepEqual(await openKeys(ledger), [...orphans].sort());
    });
  });
}
