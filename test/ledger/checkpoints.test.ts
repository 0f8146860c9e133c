/** Checkpoints on every selected store: the load, save, clear round trip. */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Fence } from '../../src/ledger/lease.js';
import { selectedKinds } from '../support/test-stores.js';
import { openTestLedger, type TestLedger } from './test-ledger.js';

for (const kind of selectedKinds()) {
  describe(`checkpoints on ${kind}`, () => {
    let l: TestLedger;
    before(async () => {
      l = await openTestLedger(kind);
    });
    after(async () => l.cleanup());

    test('load, save, save again, clear', async () => {
      const { checkpoints } = l.ledger;
      const lease = await l.ledger.acquireLease({ name: 'scan-orders', holder: 'me', ttlMs: 60_000 });
      assert.equal(await checkpoints.load('scan-orders', lease), undefined);
      const state = {
        segments: { '0': 'token-a', '1': null, '2': 'tok/é 🚀' },
        counters: { scanned: 1200, orphans: 3, ratio: 0.25 },
        done: false,
        list: [1, 'two', { three: 3 }],
      };
      await checkpoints.save('scan-orders', state, lease);
      assert.deepEqual(await checkpoints.load('scan-orders'), state);
      assert.deepEqual(await checkpoints.load('scan-orders', lease), state);
      await checkpoints.save('scan-orders', { ...state, done: true }, lease);
      assert.equal((await checkpoints.load('scan-orders'))?.done, true);
      await checkpoints.clear('scan-orders', lease);
      assert.equal(await checkpoints.load('scan-orders'), undefined);
      await checkpoints.clear('scan-orders', lease);
      await checkpoints.save('scan-orders', { n: 1 }, lease);
      await checkpoints.clear('scan-orders');
      assert.equal(await checkpoints.load('scan-orders'), undefined);
    });

    test('a save asks the lease once, after its write: the claim and the write condition fence it', async () => {
      const { checkpoints } = l.ledger;
      const lease = await l.ledger.acquireLease({ name: 'job-count', holder: 'me', ttlMs: 60_000 });
      const actions: string[] = [];
      const counted: Fence = {
        name: lease.name,
        token: lease.token,
        assertCurrent: async (action) => {
          actions.push(action);
          await lease.assertCurrent(action);
        },
      };
      assert.equal(await checkpoints.load('job-count', counted), undefined);
      await checkpoints.save('job-count', { n: 1 }, counted);
      actions.length = 0;
      await checkpoints.save('job-count', { n: 2 }, counted);
      assert.deepEqual(actions, ['go on after writing "job-count"']);
      assert.deepEqual(await checkpoints.load('job-count'), { n: 2 });
    });

    test('a stale holder: its save before the new claim is what the claim reads, after it is refused', async () => {
      const { checkpoints } = l.ledger;
      const ttlMs = 60_000;
      let now = Date.now();
      const clock = () => now;
      const other = await l.another({ clock });
      const stale = await l.ledger.acquireLease({ name: 'job-stale', holder: 'old', ttlMs, clock });
      await checkpoints.load('job-stale', stale);
      await checkpoints.save('job-stale', { n: 1 }, stale);
      now += ttlMs + 1;
      const fresh = await other.acquireLease({ name: 'job-stale', holder: 'new', ttlMs, clock });
      await assert.rejects(checkpoints.save('job-stale', { n: 2 }, stale), { code: 'lease.lost' });
      assert.deepEqual(await other.checkpoints.load('job-stale', fresh), { n: 2 });
      await assert.rejects(checkpoints.save('job-stale', { n: 3 }, stale), { code: 'lease.lost' });
      assert.deepEqual(await other.checkpoints.load('job-stale'), { n: 2 });
      await other.checkpoints.save('job-stale', { n: 4 }, fresh);
      assert.deepEqual(await checkpoints.load('job-stale'), { n: 4 });
    });

    test('jobs are kept apart', async () => {
      const { checkpoints } = l.ledger;
      const a = await l.ledger.acquireLease({ name: 'job-a', holder: 'me', ttlMs: 60_000 });
      const b = await l.ledger.acquireLease({ name: 'job-b', holder: 'me', ttlMs: 60_000 });
      await checkpoints.save('job-a', { n: 'a' }, a);
      await checkpoints.save('job-b', { n: 'b' }, b);
      assert.deepEqual(await checkpoints.load('job-a'), { n: 'a' });
      assert.deepEqual(await checkpoints.load('job-b'), { n: 'b' });
    });
  });
}
