/**
 * Backfill of a newly added derived field on every selected store: `customers.openOrders` is
 * missing from every customer but one, whose value is wrong. The backfill writes exactly the
 * missing ones in small batches (stamped `by: backfill`), leaves the present one alone, and the
 * check it runs at the end reports exactly that one as drift; a rerun writes nothing.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { JsonObject } from '../../src/core/json.js';
import { backfillDerived } from '../../src/derived/backfill.js';
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
  describe(`derived backfill on ${kind}`, () => {
    let t: TestStore;
    let ledger: Ledger;
    let w: VersionedWorld;
    const prefix = worldPrefix();
    const derived = versionedDerived(prefix).get('customers.openOrders')!;
    const handles = () => ({
      derived,
      target: w.of(derived.collection),
      source: w.of(derived.source.collection),
      ledger,
      batch: 4,
    });

    before(async () => {
      t = await openTestStore(kind);
      ledger = await openLedger(t.store, { actor: 'test', namespacePrefix: `${t.spec('ledger').name}_` });
      w = await seedVersionedWorld(t.store, prefix);
      const customers = await readAll(w.c.customers);
      await w.c.customers.write(
        customers.map((c) =>
          c.id === 'c-000'
            ? { type: 'patch' as const, key: 'c-000', set: { openOrders: 999 } }
            : { type: 'patch' as const, key: c.id as string, unset: ['openOrders', '_projection'] },
        ),
      );
    });
    after(async () => {
      await w.drop();
      await ledger.drop();
      await t.cleanup();
    });

    test('writes exactly the missing fields, then its check finds the one wrong value', async () => {
      const { backfill, check } = await backfillDerived(handles());
      assert.deepEqual([backfill.examined, backfill.written, backfill.skipped], [24, 24, 0]);
      assert.deepEqual(
        check?.findings.map((f) => [f.key, f.actual]),
        [['c-000', 999]],
      );
      const docs = await readAll(w.c.customers);
      for (const doc of docs.filter((d) => d.id !== 'c-000')) {
        assert.equal(typeof doc.openOrders, 'number');
        assert.equal(((doc._projection as JsonObject).openOrders as JsonObject).by, 'backfill');
      }
      const again = await backfillDerived(handles());
      assert.deepEqual([again.backfill.examined, again.backfill.written], [0, 0]);
    });
  });
}
