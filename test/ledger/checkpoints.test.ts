/** Checkpoints on every selected store: the load, save, clear round trip. */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
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
