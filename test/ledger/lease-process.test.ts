/**
 * A lease held by a real second process that is killed with SIGKILL: it cannot release, so the
 * lease must expire by itself, and the next holder takes over with a higher token and the dead
 * job's checkpoint. SQLite only: a file both processes open.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { isStewardError } from '../../src/errors/steward-error.js';
import { selectedKinds } from '../support/test-stores.js';
import { openTestLedger, type TestLedger } from './test-ledger.js';

const ttlMs = 1500;

describe('a lease held by a killed process', { skip: !selectedKinds().includes('sqlite') }, () => {
  let l: TestLedger;
  before(async () => {
    l = await openTestLedger('sqlite');
  });
  after(async () => l.cleanup());

  test('expires, and the next holder gets a higher token and the checkpoint', async () => {
    if (l.t.config.kind !== 'sqlite') throw new Error('sqlite expected');
    const script = new URL('./fixtures/hold-lease.ts', import.meta.url).pathname;
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', script, l.t.config.file, l.prefix, 'job-x', String(ttlMs)],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    const [line] = (await once(createInterface({ input: child.stdout }), 'line')) as [string];
    const { token } = JSON.parse(line) as { token: number };

    await assert.rejects(l.ledger.acquireLease({ name: 'job-x', holder: 'parent', ttlMs }), (error) => {
      assert.ok(isStewardError(error, 'lease.held'));
      assert.match(error.message, new RegExp(`held by child-${child.pid}`));
      return true;
    });
    await sleep(ttlMs); // still renewing: still held
    await assert.rejects(l.ledger.acquireLease({ name: 'job-x', holder: 'parent', ttlMs }), isStewardError);

    child.kill('SIGKILL');
    await once(child, 'exit');
    const killedAt = Date.now();
    let lease: Awaited<ReturnType<typeof l.ledger.acquireLease>> | undefined;
    while (!lease) {
      try {
        lease = await l.ledger.acquireLease({ name: 'job-x', holder: 'parent', ttlMs });
      } catch (error) {
        if (!isStewardError(error, 'lease.held')) throw error;
        assert.ok(Date.now() - killedAt < ttlMs * 3, 'the lease expires within its ttl');
        await sleep(100);
      }
    }
    assert.ok(lease.token > token, `token ${lease.token} > ${token}`);
    assert.deepEqual(await l.ledger.checkpoints.load('job-x', lease), { savedBy: child.pid, done: 42 });
    const verified = await l.ledger.audit.verify();
    assert.deepEqual(verified.problems, []);
    assert.equal(verified.checked, 1);
  });
});
