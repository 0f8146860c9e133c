/**
 * `refs scan` gives the same report and the same incidents whether the source's store checks the
 * reference itself (SQLite, both collections in one file: `Collection.referenceCheck`) or the scan
 * reads the source and looks the keys up: the same planted data, every shape a reference can have
 * (strings, numbers, keys of the wrong type, nulls, absent fields, empty arrays, nulls inside
 * arrays, arrays of objects, arrays inside arrays, objects, reals, ObjectIds, non-ASCII keys), run
 * both ways, whole and in segments, in small batches so resolved and unresolved documents share
 * pages. Only the lookup figures may differ (`lookups`, `keysChecked`, `distinctTargetKeys`).
 * On every selected store; only SQLite pushes the check down.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { JsonObject } from '../../src/core/json.js';
import type { ResolvedReference } from '../../src/integrity/reference.js';
import { renderScanReport } from '../../src/integrity/scan/render-scan-report.js';
import { scanReference } from '../../src/integrity/scan/scan-reference.js';
import type { ReferenceScanReport } from '../../src/integrity/scan/scan-report.js';
import { listIncidents } from '../../src/ledger/incidents.js';
import { type Ledger, openLedger } from '../../src/ledger/ledger.js';
import type { Collection, CollectionSpec, DocKey, Segment } from '../../src/stores/store.js';
import { openTestStore, selectedKinds, type TestStore } from '../support/test-stores.js';

const oid = '64a1b2c3d4e5f60718293a4b';
// '{"a":1}' is the text SQLite's json_extract gives for the object {a: 1}: an object is never a key.
const targetKeys: DocKey[] = ['a', 'b', 'c', 'é😀', 7, 8, '12', oid, '{"a":1}', 1.5];

/** Source documents by key: every field of each is a shape the scan must classify. */
const planted: Record<string, JsonObject> = {
  d01: { ref: 'a', ids: ['a', 'b'], lines: [{ sku: 'a' }, { sku: 'b' }], deep: { x: { y: 'a' } } },
  d02: { ref: 'zz', ids: ['a', 'zz'], lines: [{ sku: 'zz' }], deep: { x: { y: 'zz' } } },
  d03: { ref: 7, ids: [7, 8], lines: [{ sku: 7 }], deep: { x: { y: 8 } } },
  d04: { ref: '7', ids: ['7'], lines: [{ sku: '8' }], deep: { x: { y: '7' } } },
  d05: { ref: null, ids: [], lines: [], deep: { x: null } },
  d06: {},
  d07: { ref: { a: 1 }, ids: [null, 'a'], lines: [{ sku: null }, { sku: 'a' }], deep: { x: [{ y: 'a' }] } },
  d08: { ref: true, ids: [['a']], lines: [[{ sku: 'a' }]], deep: { x: { y: ['a', 'b'] } } },
  d09: { ref: 1.5, ids: [1.5], lines: [{ sku: 'a' }, 'junk', { nosku: 1 }], deep: 'str' },
  d10: { ref: 'é😀', ids: ['é😀'], lines: { sku: 'a' }, deep: { x: { y: 'é😀' } } },
  d11: {
    ref: { $oid: oid },
    ids: ['12', 12],
    lines: [{ sku: ['a', 'zz'] }],
    deep: { x: { y: { $oid: oid } } },
  },
  d12: { ref: 12, ids: [12], lines: [{ sku: [] }], deep: { x: { y: [] } } },
  d13: { ref: 'a', ids: 'b', lines: [{ sku: 'b' }, { sku: 'c' }], deep: { x: { y: 'c' } } },
  d14: { ref: 8, ids: [8, 'zz', 9], lines: [{ sku: 'c' }, { sku: 9 }], deep: { x: { y: 9 } } },
  // An array inside an array part-way is flattened by the scan: its 'zz' is an orphan.
  d15: {
    ref: 'b',
    ids: ['b'],
    lines: [[{ sku: 'zz' }], { sku: 'a' }],
    deep: { x: [[{ y: 'zz' }], { y: 'a' }] },
  },
  d16: { ref: { a: 1 }, ids: [{ a: 1 }, 'a'], lines: [{ sku: { a: 1 } }], deep: { x: { y: { a: 1 } } } },
};

/** Plain resolved documents around the planted ones, so pages mix both. */
function allSources(): [string, JsonObject][] {
  const plain = Array.from({ length: 24 }, (_, i): [string, JsonObject] => {
    const key = ['a', 'b', 'c'][i % 3]!;
    return [
      `p${String(i).padStart(2, '0')}`,
      { ref: key, ids: [key], lines: [{ sku: key }], deep: { x: { y: key } } },
    ];
  });
  return [...plain, ...Object.entries(planted)];
}

const fields = ['ref', 'ids', 'lines.sku', 'deep.x.y'] as const;

/** What must be equal both ways: the report without ids, times and lookup figures. */
function comparable(report: ReferenceScanReport): JsonObject {
  const {
    scanId: _scanId,
    startedAt: _startedAt,
    durationMs: _durationMs,
    docsPerSecond: _docsPerSecond,
    lookups: _lookups,
    keysChecked: _keysChecked,
    distinctTargetKeys: _distinctTargetKeys,
    pushedDown: _pushedDown,
    ...rest
  } = report;
  return JSON.parse(JSON.stringify(rest)) as JsonObject;
}

for (const kind of selectedKinds()) {
  describe(`refs scan pushed down or not on ${kind}`, () => {
    let t: TestStore;
    let source: Collection;
    let target: Collection;
    const ledgers: Ledger[] = [];
    let stored = 0;
    before(async () => {
      t = await openTestStore(kind);
      const specs: CollectionSpec[] = [t.spec('orders'), t.spec('shelf')];
      for (const spec of specs) await t.store.ensureCollection(spec);
      [source, target] = specs.map((spec) => t.store.collection(spec)) as [Collection, Collection];
      const keyField = target.spec.keyField;
      await target.write(targetKeys.map((key) => ({ type: 'insert', doc: { [keyField]: key, n: 1 } })));
      const written = await source.write(
        allSources().map(([key, doc]) => ({ type: 'insert', doc: { ...doc, [source.spec.keyField]: key } })),
      );
      // FerretDB 1.x refuses arrays inside arrays (d08, d15): the others are compared there.
      stored = written.filter((r) => r.status === 'ok').length;
      if (kind !== 'mongodb') assert.equal(stored, allSources().length);
    });
    after(async () => {
      for (const ledger of ledgers) await ledger.drop();
      await t?.cleanup();
    });

    /** One scan into a ledger of its own; its report and its incidents. */
    async function scan(reference: ResolvedReference, pushdown: boolean, segment?: Segment) {
      const ledger = await openLedger(t.store, {
        actor: 'test',
        namespacePrefix: `pd${ledgers.length}_${t.spec('x').name}_`,
      });
      ledgers.push(ledger);
      const report = await scanReference({
        reference,
        source,
        target,
        ledger,
        holder: `test-${process.pid}`,
        batch: 4,
        pushdown,
        ...(segment ? { segment } : {}),
      });
      const incidents: JsonObject[] = [];
      for await (const i of listIncidents(t.store.collection(ledger.namespace.incidents)))
        incidents.push({ kind: i.kind, key: i.key, field: i.field, detail: i.detail, status: i.status });
      incidents.sort((x, y) => JSON.stringify(x.key).localeCompare(JSON.stringify(y.key)));
      return { report, incidents };
    }

    for (const field of fields)
      for (const required of [false, true])
        test(`${field}${required ? ' (required)' : ''}: the same report and incidents both ways`, async () => {
          const reference: ResolvedReference = {
            name: `orders.${field}`,
            collection: 'orders',
            field,
            target: 'shelf',
            owner: 'test',
            onMissing: 'flag',
            required,
          };
          const generic = await scan(reference, false);
          const pushed = await scan(reference, true);
          assert.equal(generic.report.pushedDown, false);
          assert.equal(pushed.report.pushedDown, kind === 'sqlite', 'only SQLite checks inside the store');
          assert.equal(pushed.report.scanned, stored);
          assert.ok(generic.report.orphans + generic.report.typeMismatches > 0, 'the data has problems');
          assert.deepEqual(comparable(pushed.report), comparable(generic.report));
          assert.deepEqual(pushed.incidents, generic.incidents);
          // The text report does not show a key count the store did not send out.
          const [, figures] = renderScanReport(pushed.report);
          assert.match(figures!, kind === 'sqlite' ? /checked inside the store/ : /distinct target keys/);
          for (const index of [0, 1]) {
            const segment = { index, total: 2 };
            const [g, p] = [await scan(reference, false, segment), await scan(reference, true, segment)];
            assert.deepEqual(comparable(p.report), comparable(g.report), `segment ${index}/2`);
            assert.deepEqual(p.incidents, g.incidents, `segment ${index}/2`);
          }
        });
  });
}
