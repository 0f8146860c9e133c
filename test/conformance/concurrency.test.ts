/**
 * Conformance: what concurrent writers through two connections can rely on, on every store.
 * Unique-key inserts are atomic everywhere (the ledger's audit log and leases are built on them);
 * conditional writes are atomic where `capabilities.atomicConditionalWrites` says so, and an
 * adapter that cannot promise it must say so.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { openStore } from '../../src/stores/open-store.js';
import type { Store, WriteOp, WriteResult } from '../../src/stores/store.js';
import { openTestStore, selectedKinds, type TestStore } from '../support/test-stores.js';

const rounds = 50;

for (const kind of selectedKinds()) {
  describe(`concurrent writers on ${kind}`, () => {
    let t: TestStore;
    let second: Store;
    before(async () => {
      t = await openTestStore(kind);
      second = await openStore(t.config);
    });
    after(async () => {
      await second?.close();
      await t.cleanup();
    });

    /** Sends `op(i)` through each store at once and returns the statuses. */
    const race = async (spec: { name: string; keyField: string }, op: (i: number) => WriteOp) => {
      const results = await Promise.all(
        [t.store, second].map((store, i) => store.collection(spec).write([op(i)])),
      );
      return results.map((r: WriteResult[]) => r[0]?.status);
    };

    test('concurrent inserts of one key: exactly one is ok, the other is told it exists', async () => {
      const spec = t.spec('insert_race');
      await t.store.ensureCollection(spec);
      for (let round = 0; round < rounds; round++) {
        const statuses = await race(spec, (i) => ({
          type: 'insert',
          doc: { [spec.keyField]: `k${round}`, by: i },
        }));
        assert.deepEqual([...statuses].sort(), ['exists', 'ok'], `round ${round}`);
      }
    });

    test('concurrent conditional patches with one expectation: one wins, or the adapter says it cannot promise that', async () => {
      const spec = t.spec('patch_race');
      await t.store.ensureCollection(spec);
      const atomic = t.store.capabilities.atomicConditionalWrites;
      assert.equal(second.capabilities.atomicConditionalWrites, atomic, 'both connections agree');
      if (!atomic) {
        // Only FerretDB is known not to promise it; anything else turning the flag off is a regression.
        assert.equal(kind, 'mongodb');
        assert.equal((await t.store.ping()).product, 'FerretDB');
      }
      const c = t.store.collection(spec);
      await c.write([{ type: 'insert', doc: { [spec.keyField]: 'doc', version: 0 } }]);
      let bothWon = 0;
      for (let round = 0; round < rounds; round++) {
        const statuses = await race(spec, (i) => ({
          type: 'patch',
          key: 'doc',
          set: { version: round + 1, by: i },
          expect: { field: 'version', value: round },
        }));
        const ok = statuses.filter((s) => s === 'ok').length;
        if (atomic) assert.deepEqual([...statuses].sort(), ['conflict', 'ok'], `round ${round}`);
        else assert.ok(ok >= 1 && statuses.every((s) => s === 'ok' || s === 'conflict'), `round ${round}`);
        if (ok === 2) bothWon++;
        const stored = (await c.getMany(['doc'])).values().next().value;
        assert.equal(stored?.version, round + 1, `round ${round}: the document moved on once`);
      }
      if (!atomic) console.log(`# ${kind}: both conditional patches applied in ${bothWon}/${rounds} rounds`);
    });
  });
}
