/**
 * Dual-run compare and cutover on every selected store: version 2 of `customers.openOrders`
 * counts every order instead of the open ones. The dual run writes the new values beside the old
 * (shadow field), leaves the values in place alone, reports exactly which customers differ and a
 * report hash that a rerun reproduces; a cutover with another hash, or after the data changed, is
 * refused and writes nothing; with the current hash it switches every document, stamps
 * projection version 2 and drops the shadow, and a drift check by version 2 is clean. `--drop`
 * undoes a dual run.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { parseFilter } from '../../src/core/filter.js';
import type { JsonObject } from '../../src/core/json.js';
import { checkDrift } from '../../src/derived/check-drift.js';
import { cutover } from '../../src/derived/cutover.js';
import type { ResolvedDerived } from '../../src/derived/derived.js';
import { dropShadow } from '../../src/derived/drop-shadow.js';
import { dualRun } from '../../src/derived/dual-run.js';
import { isStewardError } from '../../src/errors/steward-error.js';
import { type Ledger, openLedger } from '../../src/ledger/ledger.js';
import { readAll } from '../support/read-all.js';
import { openTestStore, selectedKinds, type TestStore } from '../support/test-stores.js';
import {
  seedVersionedWorld,
  type VersionedWorld,
  versionedDerived,
  worldPrefix,
} from './fixtures/versioned-world.js';

for (const kind of selectedKinds()) {
  describe(`dual-run and cutover on ${kind}`, () => {
    let t: TestStore;
    let ledger: Ledger;
    let w: VersionedWorld;
    const prefix = worldPrefix();
    const v1 = versionedDerived(prefix).get('customers.openOrders')!;
    const v2: ResolvedDerived = {
      ...v1,
      version: 2,
      source: { ...v1.source, where: parseFilter({ status: { $in: ['open', 'closed'] } }) },
    };
    const handles = (d: ResolvedDerived) => ({
      derived: d,
      target: w.of(d.collection),
      source: w.of(d.source.collection),
      ledger,
      batch: 7,
    });
    const byId = async () => new Map((await readAll(w.c.customers)).map((d) => [String(d.id), d]));
    let before1: Map<string, JsonObject>;
    let expectedDifferent: string[];

    before(async () => {
      t = await openTestStore(kind);
      ledger = await openLedger(t.store, { actor: 'test', namespacePrefix: `${t.spec('ledger').name}_` });
      w = await seedVersionedWorld(t.store, prefix);
      before1 = await byId();
      const closed = new Set(
        (await readAll(w.c.orders)).filter((o) => o.status === 'closed').map((o) => String(o.customerId)),
      );
      expectedDifferent = [...closed].sort();
    });
    after(async () => {
      await w.drop();
      await ledger.drop();
      await t.cleanup();
    });

    test('a dual run at the version in place is refused and writes nothing', async () => {
      for (const same of [v1, { ...v2, version: 1 }]) {
        await assert.rejects(dualRun(handles(same)), (e: Error) => {
          assert.ok(isStewardError(e, 'usage'), String(e));
          assert.match(e.message, /declared at version 1, and its values in place were written by version 1/);
          return true;
        });
      }
      assert.deepEqual(await byId(), before1, 'no shadow field was written');
    });

    test('a dual run writes version 2 beside version 1 and reports exactly the differences', async () => {
      const report = await dualRun(handles(v2));
      assert.equal(report.documents, 25);
      assert.equal(report.different, expectedDifferent.length);
      assert.equal(report.equal, 25 - expectedDifferent.length);
      assert.equal(report.written, 25);
      assert.match(report.reportHash, /^dr-[0-9a-f]{20}$/);
      assert.equal(report.sample.length, Math.min(20, expectedDifferent.length));
      for (const d of report.sample) {
        assert.ok(expectedDifferent.includes(String(d.key)));
        assert.notEqual(d.current, d.next);
      }
      const now = await byId();
      for (const [id, doc] of now) {
        assert.equal(doc.openOrders, before1.get(id)!.openOrders, 'the values in place are untouched');
        const all = (await readAll(w.c.orders)).filter((o) => o.customerId === id).length;
        assert.equal(doc.openOrders__v2, all);
      }
      const again = await dualRun(handles(v2));
      assert.equal(again.written, 0, 'a rerun writes nothing');
      assert.equal(again.reportHash, report.reportHash, 'and reproduces the report hash');
    });

    test('a cutover with another report, or after the data changed, is refused and writes nothing', async () => {
      const { reportHash } = await dualRun(handles(v2));
      await assert.rejects(cutover({ ...handles(v2), report: 'dr-00000000000000000000' }), (e) =>
        isStewardError(e, 'findings'),
      );
      await w.c.customers.write([{ type: 'patch', key: 'c-003', set: { openOrders: 77 } }]);
      await assert.rejects(cutover({ ...handles(v2), report: reportHash }), /changed since that dual run/);
      const now = await byId();
      assert.equal(now.get('c-003')!.openOrders, 77);
      assert.ok(now.get('c-004')!.openOrders__v2 !== undefined, 'the shadow is still there');
      assert.equal(now.get('c-004')!.openOrders, before1.get('c-004')!.openOrders);
    });

    test('with the current report the cutover switches everything to version 2', async () => {
      const report = await dualRun(handles(v2));
      assert.equal(report.different, new Set([...expectedDifferent, 'c-003']).size);
      const done = await cutover({ ...handles(v2), report: report.reportHash });
      assert.deepEqual([done.switched, done.skipped, done.withoutShadow], [25, 0, 0]);
      for (const doc of (await byId()).values()) {
        assert.equal(doc.openOrders__v2, undefined, 'the shadow is gone');
        const meta = (doc._projection as JsonObject).openOrders as JsonObject;
        assert.deepEqual([meta.projectionVersion, meta.by], [2, 'cutover']);
      }
      assert.equal((await checkDrift(handles(v2))).drift, 0, 'version 2 is in place');
      assert.ok((await checkDrift(handles(v1))).drift > 0, 'version 1 is not');
      await assert.rejects(
        dualRun(handles(v2)),
        /values in place were written by version 2/,
        'version 2 is in place now',
      );
    });

    test('--drop undoes a dual run', async () => {
      const tickets = versionedDerived(prefix).get('tickets.personName')!;
      const upper: ResolvedDerived = {
        ...tickets,
        version: 3,
        transform: { type: 'function', fn: (_doc, sources) => String(sources[0]?.name ?? '').toUpperCase() },
      };
      const beforeDocs = await readAll(w.c.tickets);
      const report = await dualRun(handles(upper));
      assert.equal(report.different, 120);
      const dropped = await dropShadow(handles(upper));
      assert.equal(dropped.dropped, 120);
      const sort = (docs: JsonObject[]) => docs.sort((a, b) => String(a.id).localeCompare(String(b.id)));
      assert.deepEqual(sort(await readAll(w.c.tickets)), sort(beforeDocs));
    });
  });
}
