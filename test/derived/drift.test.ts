/**
 * Drift check, repair and rebuild on every selected store, against the example with drift
 * injected: every method that covers everything (exact, sampling at 1, hash) finds exactly the
 * manifest's drift, keys, fields, expected and actual values, and a snapshot's planted differences
 * only as information (never drift, and its old drift incidents closed); repair fixes the drift, a
 * missing snapshot only when forced, and a recheck finds none; a second repair writes nothing; rebuild by id and by filter;
 * a transformation that throws on some documents is reported per document while the rest go on.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { resolveConfig } from '../../src/config/resolve-config.js';
import { parseFilter } from '../../src/core/filter.js';
import { canonicalJson, type JsonObject } from '../../src/core/json.js';
import { checkDrift } from '../../src/derived/check-drift.js';
import type { ResolvedDerived } from '../../src/derived/derived.js';
import type { DriftReport } from '../../src/derived/drift-report.js';
import { rebuildDerived } from '../../src/derived/rebuild-derived.js';
import { repairDrift } from '../../src/derived/repair-drift.js';
import { projectionVersionOf } from '../../src/derived/write-derived.js';
import { exampleCollectionNames } from '../../src/example/case-management-model.js';
import { exampleDerived } from '../../src/example/example-derived.js';
import { type ExampleManifest, generateExample } from '../../src/example/generate-example.js';
import { listIncidents, recordFindings } from '../../src/ledger/incidents.js';
import { type Ledger, openLedger } from '../../src/ledger/ledger.js';
import { scanDocuments } from '../../src/stores/scan-pages.js';
import type { Store } from '../../src/stores/store.js';
import { openTestStore, selectedKinds, type TestStore } from '../support/test-stores.js';

const line = (collection: string, key: unknown, field: string, expected: unknown, actual: unknown) =>
  `${collection}|${String(key)}|${field}|${canonicalJson(expected)}|${canonicalJson(actual)}`;

function declarations(store: Store): Map<string, ResolvedDerived> {
  const collections = Object.fromEntries(exampleCollectionNames.map((n) => [n, { key: 'id' }]));
  const config = resolveConfig(
    { stores: { main: { kind: 'sqlite', file: ':memory:' } }, collections, derived: exampleDerived() },
    { baseDir: '/' },
  );
  void store;
  return new Map(config.derived);
}

for (const kind of selectedKinds()) {
  describe(`derived drift on ${kind}`, () => {
    let t: TestStore;
    let ledger: Ledger;
    let manifest: ExampleManifest;
    let derived: Map<string, ResolvedDerived>;
    const handles = (d: ResolvedDerived) => ({
      derived: d,
      target: t.store.collection({ name: d.collection, keyField: 'id' }),
      source: t.store.collection({ name: d.source.collection, keyField: 'id' }),
      ledger,
    });
    const expectedLines = () =>
      manifest.faults
        .filter((f) => f.kind === 'drift')
        .map((f) => line(f.collection, f.key, f.field, f.expected, f.actual))
        .sort();
    const found = (reports: DriftReport[]) =>
      reports
        .flatMap((r) =>
          r.findings.map((f) => line(r.derived.split('.')[0]!, f.key, f.field, f.expected, f.actual)),
        )
        .sort();
    const checkAll = async (method: 'exact' | 'sampling' | 'hash', extra: object = {}) => {
      const reports: DriftReport[] = [];
      for (const d of derived.values()) reports.push(await checkDrift({ ...handles(d), method, ...extra }));
      return reports;
    };

    before(async () => {
      t = await openTestStore(kind);
      manifest = await generateExample(t.store, {
        docs: kind === 'mongodb' ? 500 : 1200,
        seed: 7,
        faults: { drift: 12 },
      });
      ledger = await openLedger(t.store, { actor: 'test', namespacePrefix: `${t.spec('ledger').name}_` });
      derived = declarations(t.store);
      for (const name of exampleCollectionNames) t.spec(name); // nothing: collections are dropped with the store
    });
    after(async () => {
      for (const name of exampleCollectionNames) await t.store.dropCollection({ name, keyField: 'id' });
      await ledger.drop();
      await t.cleanup();
    });

    test('exact finds exactly the injected drift and records one incident each', async () => {
      const reports = await checkAll('exact');
      assert.deepEqual(found(reports), expectedLines());
      assert.equal(
        reports.reduce((n, r) => n + r.incidents.opened, 0),
        expectedLines().length,
      );
      const again = await checkAll('exact');
      assert.equal(
        again.reduce((n, r) => n + r.incidents.opened, 0),
        0,
        'a rescan updates, never duplicates',
      );
      assert.equal(
        again.reduce((n, r) => n + r.incidents.updated, 0),
        expectedLines().length,
      );
    });

    test('sampling at 1 and hash find the same; hash compares only differing groups', async () => {
      assert.deepEqual(found(await checkAll('sampling', { sample: 1 })), expectedLines());
      const hashed = await checkAll('hash', { groupSize: 5 });
      assert.deepEqual(found(hashed), expectedLines());
      for (const r of hashed) {
        assert.ok(r.hash);
        assert.ok(r.hash.differing <= r.drift, `${r.derived}: only groups holding drift differ`);
        assert.ok(
          r.hash.fetched < r.scanned / 2,
          `${r.derived}: ${r.hash.fetched} of ${r.scanned} compared one by one`,
        );
        assert.ok(
          r.hash.fetched <= r.hash.differing * 5,
          `${r.derived}: only the differing groups are read again`,
        );
        if (r.drift === 0) assert.equal(r.hash.fetched, 0);
      }
      const sampled = await checkAll('sampling', { sample: 0.3 });
      for (const f of found(sampled)) assert.ok(expectedLines().includes(f));
    });

    test("a snapshot's differences from its source are information, not drift; old drift incidents of it are closed", async () => {
      const snap = derived.get('cases.assignedOfficerName')!;
      const differing = manifest.faults.filter((f) => f.kind === 'snapshot-difference');
      assert.ok(differing.length > 0, 'the example planted snapshot differences');
      // A drift incident an older steward opened for one of them.
      const incidents = ledger.store.collection(ledger.namespace.incidents);
      await recordFindings(
        incidents,
        [
          {
            kind: 'drift',
            subject: snap.name,
            collection: 'cases',
            key: differing[0]!.key,
            field: snap.field,
            detail: { expected: differing[0]!.expected, actual: differing[0]!.actual, snapshot: true },
          },
        ],
        'old-check',
        new Date().toISOString(),
      );
      for (const method of ['exact', 'hash'] as const) {
        const report = await checkDrift({ ...handles(snap), method, groupSize: 5 });
        assert.equal(report.drift, 0, method);
        assert.deepEqual(report.findings, [], method);
        assert.equal(report.snapshot?.differsFromSource, differing.length, method);
        assert.equal(report.snapshot?.missing, 0, method);
        assert.equal(report.incidents.opened, 0, method);
      }
      const open = [];
      for await (const i of listIncidents(incidents, { subject: snap.name, status: 'open' })) open.push(i);
      assert.deepEqual(open, [], 'the next check closed the drift incident of the snapshot');
    });

    test('repair fixes the drift; a missing snapshot is a finding, filled only when forced; a recheck finds none; a rerun writes nothing', async () => {
      let written = 0;
      let snapshotSkips = 0;
      for (const d of derived.values()) {
        const report = await repairDrift(handles(d));
        written += report.written;
        snapshotSkips += report.problems.filter((p) => p.reason === 'snapshot').length;
      }
      assert.equal(written, expectedLines().length);
      assert.equal(snapshotSkips, 0, 'no snapshot incident to repair');
      const snap = derived.get('cases.assignedOfficerName')!;
      const differing = new Set(
        manifest.faults.filter((f) => f.kind === 'snapshot-difference').map((f) => f.key),
      );
      const cases = t.store.collection({ name: 'cases', keyField: 'id' });
      const emptied = ['case-0000001', 'case-0000002', 'case-0000003', 'case-0000004']
        .filter((k) => !differing.has(k))
        .slice(0, 2);
      await cases.write([
        { type: 'patch', key: emptied[0]!, unset: ['assignedOfficerName'] },
        { type: 'patch', key: emptied[1]!, set: { assignedOfficerName: null } },
      ]);
      const check = await checkDrift(handles(snap));
      assert.equal(check.drift, 0);
      assert.equal(check.snapshot?.missing, 2);
      assert.equal(check.snapshot?.differsFromSource, differing.size);
      assert.deepEqual(check.findings.map((f) => [f.key, f.kind, f.actual]).sort(), [
        [emptied[0], 'missing-snapshot', null],
        [emptied[1], 'missing-snapshot', null],
      ]);
      const kept = await repairDrift(handles(snap));
      assert.equal(kept.written, 0);
      assert.equal(kept.problems.filter((p) => p.reason === 'snapshot').length, 2);
      const forced = await repairDrift({ ...handles(snap), force: true });
      assert.equal(forced.written, 2);
      assert.equal(forced.closed, 2);
      const after = await checkDrift(handles(snap));
      assert.equal(after.snapshot?.missing, 0);
      assert.equal(
        after.snapshot?.differsFromSource,
        differing.size,
        'filling the missing ones refreshed no other',
      );
      assert.deepEqual(found(await checkAll('exact')), []);
      for (const d of derived.values())
        assert.equal((await repairDrift({ ...handles(d), force: true })).written, 0);
      // A forced refresh (what an approval of `rebuild --all --force` allows) rewrites the history.
      const refreshed = await rebuildDerived({ ...handles(snap), scope: { all: true }, force: true });
      assert.equal(refreshed.written, differing.size);
      assert.equal((await checkDrift(handles(snap))).snapshot?.differsFromSource, 0);
      const open = [];
      for await (const i of listIncidents(ledger.store.collection(ledger.namespace.incidents), {
        status: 'open',
      }))
        open.push(i);
      assert.deepEqual(open, []);
      const fixed = manifest.faults.find((f) => f.kind === 'drift' && f.field === 'openTaskCount')!;
      const doc = (await t.store.collection({ name: 'case_list', keyField: 'id' }).getMany([fixed.key]))
        .values()
        .next().value as JsonObject;
      const meta = (doc._projection as JsonObject).openTaskCount as JsonObject;
      assert.equal(meta.by, 'drift repair');
      assert.equal(meta.projectionVersion, 1);
    });

    test('rebuild --id and --where rewrite what drifted and nothing else', async () => {
      const caseList = t.store.collection({ name: 'case_list', keyField: 'id' });
      const d = derived.get('case_list.openTaskCount')!;
      const [first, second] = ['case-0000001', 'case-0000002'];
      await caseList.write([
        { type: 'patch', key: first, set: { openTaskCount: 99 } },
        { type: 'patch', key: second, set: { openTaskCount: 98 } },
      ]);
      const one = await rebuildDerived({ ...handles(d), scope: { ids: [first] } });
      assert.equal(one.written, 1);
      const check = await checkDrift(handles(d));
      assert.deepEqual(
        check.findings.map((f) => f.key),
        [second],
      );
      const range = await rebuildDerived({
        ...handles(d),
        scope: { where: parseFilter({ id: { $lte: 'case-0000005' } }) },
      });
      assert.equal(range.written, 1);
      assert.ok(range.examined >= 2);
      const all = await rebuildDerived({ ...handles(d), scope: { all: true } });
      assert.equal(all.written, 0);
      assert.equal((await checkDrift(handles(d))).drift, 0);
    });

    test('rebuild in two segments covers every document once and writes what one rebuild would', async () => {
      const caseList = t.store.collection({ name: 'case_list', keyField: 'id' });
      const d = derived.get('case_list.openTaskCount')!;
      const wrong = ['case-0000003', 'case-0000006', 'case-0000009', 'case-0000012'];
      await caseList.write(wrong.map((key) => ({ type: 'patch', key, set: { openTaskCount: 97 } }) as const));
      const halves = [];
      for (const index of [0, 1])
        halves.push(
          await rebuildDerived({ ...handles(d), scope: { all: true }, segment: { index, total: 2 } }),
        );
      assert.equal(halves[0]!.examined + halves[1]!.examined, await caseList.count());
      assert.ok(
        halves.every((h) => h.examined > 0),
        'each segment has its share',
      );
      assert.equal(halves[0]!.written + halves[1]!.written, wrong.length);
      assert.equal((await checkDrift(handles(d))).drift, 0);
    });

    test('rebuild --version stamps every document an older projection version computed, once', async () => {
      const v2 = { ...derived.get('case_list.overdueTaskCount')!, version: 2 };
      const caseList = t.store.collection({ name: 'case_list', keyField: 'id' });
      const total = await caseList.count();
      const plain = await rebuildDerived({ ...handles(v2), scope: { all: true } });
      assert.equal(plain.written, 0, 'without --version right values are left alone');
      const stamped = await rebuildDerived({ ...handles(v2), scope: { all: true }, restamp: true });
      assert.equal(stamped.written, total);
      let atV2 = 0;
      for await (const doc of scanDocuments(caseList, { limit: 500 }))
        if (projectionVersionOf(doc, v2.field) === 2) atV2++;
      assert.equal(atV2, total);
      const again = await rebuildDerived({ ...handles(v2), scope: { all: true }, restamp: true });
      assert.equal(again.written, 0, 'a rerun finds every document at version 2');
      assert.equal((await checkDrift(handles(v2))).drift, 0);
    });

    test('a transformation that throws is reported per document; the rest go on', async () => {
      const base = derived.get('case_list.subjectName')!;
      const throwing: ResolvedDerived = {
        ...base,
        name: 'case_list.subjectLabel',
        field: 'subjectName',
        transform: {
          type: 'function',
          fn: (doc, sources) => {
            if (String(doc.id).endsWith('3')) throw new Error('no label for this one');
            return sources[0]?.name ?? null;
          },
        },
      };
      const report = await checkDrift({ ...handles(throwing) });
      assert.ok(report.failed > 0);
      assert.equal(report.failures.length, report.failed);
      assert.ok(
        report.failures.every((f) => String(f.key).endsWith('3') && f.reason === 'no label for this one'),
      );
      assert.equal(report.drift, 0);
      assert.equal(report.checked, manifest.counts.case_list);
      const rebuilt = await rebuildDerived({ ...handles(throwing), scope: { all: true } });
      assert.equal(rebuilt.skipped, report.failed);
      assert.equal(rebuilt.written, 0);
    });
  });
}
