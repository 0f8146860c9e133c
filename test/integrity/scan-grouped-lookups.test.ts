/**
 * A scan whose target was preloaded checks its pages in groups with one lookup a group (issue 17:
 * on DynamoDB a lookup per page was a BatchGetItem for a key or two), and still finds and reports
 * what a scan without the preload finds, including after a stop and resume mid-group. Runs on
 * every selected store.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { pagesPerLookup } from '../../src/integrity/scan/checked-pages.js';
import { scanReference } from '../../src/integrity/scan/scan-reference.js';
import type { ReferenceScanReport } from '../../src/integrity/scan/scan-report.js';
import { listIncidents } from '../../src/ledger/incidents.js';
import type { Ledger } from '../../src/ledger/ledger.js';
import { openReferenceWorld, type ReferenceWorld } from '../support/reference-world.js';
import { selectedKinds } from '../support/test-stores.js';

const pages = 30;
const batch = 50;

for (const kind of selectedKinds()) {
  describe(`refs scan lookups with a preloaded target on ${kind}`, () => {
    let world: ReferenceWorld;

    before(async () => {
      // One orphan a page's worth of sources, so a lookup per page would be one per page.
      world = await openReferenceWorld(kind, {
        name: 'gl',
        targets: 100,
        sources: pages * batch,
        orphan: (i) => i % batch === 7,
      });
    });
    after(async () => world?.cleanup());

    async function scan(ledger: Ledger, signal?: AbortSignal, onBatch?: (scanned: number) => void) {
      const { reference, source, target } = world;
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

    async function openKeys(ledger: Ledger): Promise<string[]> {
      const keys: string[] = [];
      for await (const i of listIncidents(world.t.store.collection(ledger.namespace.incidents)))
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
      const ledger = await world.newLedger();
      const report = await scan(ledger);
      assert.ok(report.batches >= pages, `${report.batches} batches`); // a store may end on an empty page
      assert.equal(report.orphans, world.orphans.length);
      assert.equal(report.ok, pages * batch - world.orphans.length);
      assert.deepEqual(await openKeys(ledger), [...world.orphans].sort());
      assert.ok(
        report.lookups <= Math.ceil(report.batches / pagesPerLookup),
        `${report.lookups} lookups for ${report.batches} pages each holding an orphan`,
      );
    });

    test('a stop asked while a group is read ends the reading at once, not at the end of the group', async () => {
      const { reference, source, target } = world;
      const stop = new AbortController();
      let pagesRead = 0;
      const reading = Object.create(source) as typeof source;
      reading.scan = (options) => {
        pagesRead++;
        if (pagesRead === 2) stop.abort();
        return source.scan(options);
      };
      const report = await scanReference({
        reference,
        source: reading,
        target,
        ledger: await world.newLedger(),
        holder: `test-${process.pid}`,
        batch,
        pushdown: false,
        signal: stop.signal,
      });
      assert.equal(report.interrupted, true);
      // The page in hand and the one read ahead; a group is ten pages.
      assert.ok(pagesRead <= 3, `${pagesRead} pages read after a stop at the second`);
      assert.ok(report.scanned <= 2 * batch, `${report.scanned} scanned`);
    });

    test('stopped mid-group and resumed, the report and incidents are those of one run', async () => {
      const whole = await scan(await world.newLedger());
      const ledger = await world.newLedger();
      const stop = new AbortController();
      const first = await scan(ledger, stop.signal, (scanned) => {
        if (scanned >= 13 * batch) stop.abort();
      });
      assert.equal(first.interrupted, true);
      assert.ok(first.scanned < pages * batch);
      const resumed = await scan(ledger);
      assert.equal(resumed.resumed, true);
      assert.deepEqual(outcome(resumed), outcome(whole));
      assert.deepEqual(await openKeys(ledger), [...world.orphans].sort());
    });
  });

  describe(`refs scan lookups in large pages on ${kind}`, () => {
    // Pages of 1500: a group bounded at 10,000 documents (when it held the pages' documents) was
    // 7 pages and 1, two lookups; a group holds only its pending documents now, and one lookup
    // covers up to 50,000 (DynamoDB, pages of 5000: 10 lookups at 100k became 2).
    const largeBatch = 1500;
    const largePages = 8;
    let world: ReferenceWorld;

    before(async () => {
      world = await openReferenceWorld(kind, {
        name: 'gll',
        targets: 100,
        sources: largePages * largeBatch,
        orphan: (i) => i % largeBatch === 7,
      });
    });
    after(async () => world?.cleanup());

    test('one lookup for 12,000 documents in pages of 1500, every orphan found', async () => {
      const { reference, source, target } = world;
      const ledger = await world.newLedger();
      const report = await scanReference({
        reference,
        source,
        target,
        ledger,
        holder: `test-${process.pid}`,
        batch: largeBatch,
        pushdown: false,
      });
      assert.equal(report.orphans, largePages);
      assert.equal(report.ok, largePages * largeBatch - largePages);
      // Each page's distinct keys, summed (100 targets and its orphan's key); 108 in all, counted exactly.
      assert.equal(report.keysChecked, largePages * 101);
      assert.deepEqual(report.distinctTargetKeys, { count: 108, exact: true });
      assert.deepEqual((await listIncidentKeys(world, ledger)).sort(), [...world.orphans].sort());
      assert.equal(report.lookups, 1, `${report.lookups} lookups for ${report.batches} pages`);
    });
  });
}

async function listIncidentKeys(world: ReferenceWorld, ledger: Ledger): Promise<string[]> {
  const keys: string[] = [];
  for await (const i of listIncidents(world.t.store.collection(ledger.namespace.incidents)))
    if (i.status === 'open') keys.push(...(i.detail.missing as string[]));
  return keys;
}
