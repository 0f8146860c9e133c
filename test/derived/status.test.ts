/**
 * `derived status` on every selected store: a derived collection whose documents carry projection
 * metadata of various ages (and some none), drift incidents in the ledger, and a rebuild that stamps
 * real metadata; the tally, the lag and the within/outside/unknown decision follow.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { resolveConfig } from '../../src/config/resolve-config.js';
import type { JsonObject } from '../../src/core/json.js';
import type { ResolvedDerived } from '../../src/derived/derived.js';
import { rebuildDerived } from '../../src/derived/rebuild-derived.js';
import { derivedStatus } from '../../src/derived/status/derived-status.js';
import { closeIncident, listIncidents, recordFindings } from '../../src/ledger/incidents.js';
import { type Ledger, openLedger } from '../../src/ledger/ledger.js';
import type { Collection, CollectionSpec } from '../../src/stores/store.js';
import { openTestStore, selectedKinds, type TestStore } from '../support/test-stores.js';

const minute = 60_000;
const now = '2026-07-04T10:00:00.000Z';
const ago = (ms: number) => new Date(Date.parse(now) - ms).toISOString();
const stamp = (projectedAt: string, projectionVersion: number, sourceVersion?: number) => ({
  _projection: {
    openTaskCount: {
      projectedAt,
      projectionVersion,
      by: 'rebuild',
      ...(sourceVersion ? { sourceVersion } : {}),
    },
  },
});

for (const kind of selectedKinds()) {
  describe(`derived status on ${kind}`, () => {
    let t: TestStore;
    let ledger: Ledger;
    let cases: CollectionSpec;
    let tasks: CollectionSpec;
    let target: Collection;
    let source: Collection;
    let incidents: Collection;

    /** The counter of open tasks per case, with a 5 minute allowance unless told otherwise. */
    const declare = (extra: Record<string, unknown> = {}): ResolvedDerived => {
      const config = resolveConfig(
        {
          stores: { main: { kind: 'sqlite', file: 'x.sqlite' } },
          collections: { [cases.name]: { key: cases.keyField }, [tasks.name]: { key: tasks.keyField } },
          derived: {
            [`${cases.name}.openTaskCount`]: {
              kind: 'counter',
              source: {
                collection: tasks.name,
                key: 'caseId',
                where: { status: 'open' },
                version: 'version',
              },
              transform: { count: true },
              staleness: '5m',
              version: 2,
              ...extra,
            },
          },
        },
        { baseDir: '/tmp' },
      );
      return [...config.derived.values()][0]!;
    };
    const status = (derived = declare()) =>
      derivedStatus({ derived, target, source, incidents, now, batch: 2 });

    before(async () => {
      t = await openTestStore(kind);
      cases = t.spec('cases');
      tasks = t.spec('tasks');
      for (const spec of [cases, tasks]) await t.store.ensureCollection(spec);
      target = t.store.collection(cases);
      source = t.store.collection(tasks);
      const k = tasks.keyField;
      await source.write(
        [
          { [k]: 't1', caseId: 'c1', status: 'open', version: 4 },
          { [k]: 't2', caseId: 'c1', status: 'open', version: 9 },
          { [k]: 't3', caseId: 'c2', status: 'done', version: 2 },
          { [k]: 't4', caseId: 'c3', status: 'open', version: 6 },
        ].map((doc) => ({ type: 'insert' as const, doc })),
      );
      const c = cases.keyField;
      await target.write(
        [
          { [c]: 'c1', openTaskCount: 2, ...stamp(ago(1 * minute), 2, 5) },
          { [c]: 'c2', openTaskCount: 0, ...stamp(ago(10 * minute), 1, 3) },
          { [c]: 'c3', openTaskCount: 1 },
          { [c]: 'c4', openTaskCount: 0, ...stamp(ago(2 * minute), 2, 7) },
        ].map((doc) => ({ type: 'insert' as const, doc })),
      );
      ledger = await openLedger(t.store, { actor: 'test', namespacePrefix: `${t.spec('ledger').name}_` });
      await t.store.ensureCollection(ledger.namespace.incidents);
      incidents = t.store.collection(ledger.namespace.incidents);
    });
    after(async () => {
      await ledger.drop();
      await t.cleanup();
    });

    test('tallies metadata, lag and source versions; a document older than the allowance is outside', async () => {
      const s = await status();
      assert.equal(s.documents, 4);
      assert.equal(s.withoutMetadata, 1);
      assert.equal(s.olderThanAllowance, 1);
      assert.equal(s.oldProjectionVersion, 1);
      assert.equal(s.oldestProjectedAt, ago(10 * minute));
      assert.equal(s.newestProjectedAt, ago(1 * minute));
      assert.equal(s.lagMs, 10 * minute);
      assert.equal(s.stalenessMs, 5 * minute);
      assert.equal(s.minSourceVersion, 3);
      assert.equal(s.maxSourceVersion, 7);
      assert.equal(s.latestSourceVersion, 9);
      assert.equal(s.openIncidents, 0);
      assert.equal(s.state, 'outside');
      const wider = await status(declare({ staleness: '15m' }));
      assert.equal(wider.olderThanAllowance, 0);
      assert.equal(wider.state, 'unknown', 'c3 has no metadata: its age cannot be told');
    });

    test('with every document stamped within the allowance it is within', async () => {
      await target.write([
        { type: 'patch', key: 'c2', set: stamp(ago(30_000), 2, 3) },
        { type: 'patch', key: 'c3', set: stamp(ago(4 * minute), 2, 6) },
      ]);
      const s = await status();
      assert.equal(s.withoutMetadata, 0);
      assert.equal(s.olderThanAllowance, 0);
      assert.equal(s.lagMs, 4 * minute);
      assert.equal(s.state, 'within');
    });

    test('drift open longer than the allowance is outside; for immediate state, any open drift', async () => {
      const derived = declare();
      const finding = (key: string) => ({
        kind: 'drift',
        subject: derived.name,
        collection: cases.name,
        key,
        field: 'openTaskCount',
        detail: { expected: 1, actual: 0 },
      });
      await recordFindings(incidents, [finding('c4')], 'scan-1', ago(1 * minute));
      let s = await status(derived);
      assert.equal(s.openIncidents, 1);
      assert.equal(s.oldestOpenIncidentAt, ago(1 * minute));
      assert.equal(s.state, 'within', 'drift seen a minute ago is still within 5 minutes');
      const immediate = await status(declare({ staleness: 'immediate', refresh: 'synchronous' }));
      assert.equal(immediate.stalenessMs, null);
      assert.equal(immediate.olderThanAllowance, 0, 'no age is measured against "immediate"');
      assert.equal(immediate.state, 'outside');
      await recordFindings(incidents, [finding('c1')], 'scan-2', ago(20 * minute));
      s = await status(derived);
      assert.equal(s.openIncidents, 2);
      assert.equal(s.state, 'outside');
      const snapshot = await status(declare({ snapshot: true, refresh: 'manual' }));
      assert.equal(snapshot.state, 'not-applicable');
      for await (const i of listIncidents(incidents, { subject: derived.name, status: 'open' }))
        await closeIncident(incidents, i, { action: 'test' }, now);
      const closed = await status(derived);
      assert.equal(closed.openIncidents, 0);
      assert.equal(closed.state, 'within');
    });

    test("reads the metadata a rebuild stamps, with the source's version", async () => {
      await target.write([{ type: 'patch', key: 'c1', set: { openTaskCount: 7 } }]);
      const derived = declare();
      const report = await rebuildDerived({
        derived,
        target,
        source,
        ledger,
        scope: { ids: ['c1'] },
        clock: () => Date.parse(now),
      });
      assert.equal(report.written, 1);
      const [doc] = (await target.getMany(['c1'])).values() as unknown as JsonObject[];
      const meta = ((doc as JsonObject)._projection as JsonObject).openTaskCount as JsonObject;
      const s = await status(derived);
      assert.equal(s.newestProjectedAt, meta.projectedAt);
      assert.equal(meta.sourceVersion, 9, "the greatest version of the case's source documents");
      assert.equal(s.maxSourceVersion, 9);
      assert.equal(s.documents, 4);
      assert.equal(s.withoutMetadata, 0);
      assert.equal(s.state, 'within');
    });
  });
}
