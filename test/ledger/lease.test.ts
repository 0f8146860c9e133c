/**
 * Leases and fencing on every selected store. Time is an injected clock, so expiry is tested
 * without waiting; concurrent acquirers go through separate connections, as processes would.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { isStewardError } from '../../src/errors/steward-error.js';
import { writeFenced } from '../../src/ledger/fenced-write.js';
import { selectedKinds } from '../support/test-stores.js';
import { openTestLedger, type TestLedger } from './test-ledger.js';

const isCode = (code: 'lease.held' | 'lease.lost') => (error: unknown) => isStewardError(error, code);

for (const kind of selectedKinds()) {
  describe(`leases on ${kind}`, () => {
    let now = Date.UTC(2026, 0, 1);
    const clock = () => now;
    let l: TestLedger;
    before(async () => {
      l = await openTestLedger(kind, { clock });
    });
    after(async () => l.cleanup());

    const rounds = 40;

    test('of two concurrent acquirers exactly one proceeds', async () => {
      const others = await Promise.all([l.another({ clock }), l.another({ clock })]);
      for (let round = 0; round < rounds; round++) {
        const outcomes = await Promise.allSettled(
          others.map((ledger, i) =>
            ledger.acquireLease({ name: `race-${round}`, holder: `worker-${i}`, ttlMs: 60_000 }),
          ),
        );
        const won = outcomes.filter((o) => o.status === 'fulfilled');
        const refused = outcomes.filter((o) => o.status === 'rejected');
        assert.equal(won.length, 1, `round ${round}: one winner`);
        assert.ok(isCode('lease.held')(refused[0]?.reason), `round ${round}: the other is told it is held`);
      }
    });

    // Takeovers are unique-key inserts of the next generation, so this holds on FerretDB 1.x too,
    // whose conditional updates are not atomic (see test/conformance/concurrency.test.ts).
    test('of concurrent takers of an expired lease exactly one proceeds', async () => {
      const others = await Promise.all([l.another({ clock }), l.another({ clock }), l.another({ clock })]);
      for (let round = 0; round < rounds; round++) {
        const name = `expired-race-${round}`;
        await l.ledger.acquireLease({ name, holder: 'gone', ttlMs: 1000 });
        now += 2000;
        const outcomes = await Promise.allSettled(
          others.map((ledger, i) => ledger.acquireLease({ name, holder: `worker-${i}`, ttlMs: 60_000 })),
        );
        const won = outcomes.filter((o) => o.status === 'fulfilled');
        assert.equal(won.length, 1, `round ${round}: one winner`);
        assert.equal(won[0]?.value.token, 2);
        for (const o of outcomes) {
          if (o.status === 'rejected')
            assert.ok(isCode('lease.held')(o.reason), `round ${round}: ${o.reason}`);
        }
      }
    });

    test('of concurrent takers of a lease acquired and released many times exactly one proceeds each time', async () => {
      const others = await Promise.all([l.another({ clock }), l.another({ clock })]);
      const name = 'relay';
      let last = 0;
      for (let round = 0; round < rounds; round++) {
        const outcomes = await Promise.allSettled(
          others.map((ledger, i) => ledger.acquireLease({ name, holder: `worker-${i}`, ttlMs: 60_000 })),
        );
        const won = outcomes.flatMap((o) => (o.status === 'fulfilled' ? [o.value] : []));
        assert.equal(won.length, 1, `round ${round}: one winner`);
        assert.ok(won[0]!.token > last, 'tokens grow');
        last = won[0]!.token;
        await won[0]!.release();
      }
      const stored = await l.ledger.store
        .collection(l.ledger.namespace.leases)
        .count({ filter: [{ op: 'eq', path: 'name', value: name }] });
      assert.ok(stored <= 3, `old generations are pruned: ${stored} lease documents left`);
    });

    test('a late renewal racing a takeover: never both go on', async () => {
      const other = await l.another({ clock });
      for (let round = 0; round < rounds; round++) {
        const name = `late-renew-${round}`;
        const old = await l.ledger.acquireLease({ name, holder: 'old', ttlMs: 1000 });
        now += 2000;
        const [renewed, taken] = await Promise.allSettled([
          old.renew(),
          sleep(round % 3).then(() => other.acquireLease({ name, holder: 'new', ttlMs: 60_000 })),
        ]);
        // A renewal that returns normally means the old holder goes on: the taker must have given way.
        const both = renewed.status === 'fulfilled' && taken.status === 'fulfilled';
        assert.ok(!both, `round ${round}: the renewal and the takeover both succeeded`);
      }
    });

    test('a lease held by another is refused naming the holder; once expired it is taken with a higher token', async () => {
      const start = now;
      const first = await l.ledger.acquireLease({ name: 'job-expiry', holder: 'alice', ttlMs: 30_000 });
      assert.equal(first.token, 1);
      await assert.rejects(
        l.ledger.acquireLease({ name: 'job-expiry', holder: 'bob', ttlMs: 30_000 }),
        (error) => {
          assert.ok(isStewardError(error, 'lease.held'));
          assert.ok(error.message.includes(`held by alice until ${new Date(start + 30_000).toISOString()}`));
          return true;
        },
      );
      now += 20_000;
      await first.renew(); // alice is alive: now expires at 00:00:50
      now += 25_000;
      await assert.rejects(
        l.ledger.acquireLease({ name: 'job-expiry', holder: 'bob', ttlMs: 30_000 }),
        isCode('lease.held'),
      );
      now += 10_000; // alice stopped renewing: expired
      const second = await l.ledger.acquireLease({ name: 'job-expiry', holder: 'bob', ttlMs: 30_000 });
      assert.equal(second.token, 2);
      await assert.rejects(first.renew(), isCode('lease.lost'));
      await assert.rejects(first.assertHeld(), (error) => {
        assert.ok(isStewardError(error, 'lease.lost'));
        assert.match(error.message, /bob holds it now with token 2/);
        return true;
      });
      await second.assertHeld();
      assert.deepEqual(await l.ledger.readLease('job-expiry'), {
        name: 'job-expiry',
        holder: 'bob',
        token: 2,
        expiresAt: now + 30_000,
      });
    });

    test('release lets the next holder in at once, and tokens keep growing', async () => {
      const a = await l.ledger.acquireLease({ name: 'job-release', holder: 'a', ttlMs: 60_000 });
      await a.release();
      await assert.rejects(a.assertHeld(), isCode('lease.lost'));
      const b = await l.ledger.acquireLease({ name: 'job-release', holder: 'b', ttlMs: 60_000 });
      assert.equal(b.token, a.token + 1);
      const again = await l.ledger.acquireLease({ name: 'job-release', holder: 'b', ttlMs: 60_000 });
      assert.equal(again.token, b.token + 1, 'the same holder re-acquiring gets a new token');
      await assert.rejects(b.renew(), isCode('lease.lost'));
    });

    test('a renewal after expiry succeeds when nobody took the lease', async () => {
      const a = await l.ledger.acquireLease({ name: 'job-late-renew', holder: 'a', ttlMs: 1000 });
      now += 5000;
      await assert.rejects(a.assertHeld(), isCode('lease.lost'));
      await a.renew();
      await a.assertHeld();
    });

    test("a stale holder's checkpoint save is refused once the new holder has loaded the job", async () => {
      const job = 'job-fenced';
      const stale = await l.ledger.acquireLease({ name: job, holder: 'stale', ttlMs: 10_000 });
      assert.equal(await l.ledger.checkpoints.load(job, stale), undefined);
      await l.ledger.checkpoints.save(job, { after: 'k100', done: 100 }, stale);
      now += 11_000; // the stale holder paused and its lease expired
      const other = await l.another({ clock });
      const fresh = await other.acquireLease({ name: job, holder: 'fresh', ttlMs: 10_000 });
      assert.deepEqual(await other.checkpoints.load(job, fresh), { after: 'k100', done: 100 });
      await assert.rejects(l.ledger.checkpoints.save(job, { after: 'k200', done: 200 }, stale), (error) => {
        assert.ok(isStewardError(error, 'lease.lost'));
        assert.match(error.message, /token 1, holder stale\) was lost.*fresh holds it now with token 2/);
        return true;
      });
      await other.checkpoints.save(job, { after: 'k150', done: 150 }, fresh);
      assert.deepEqual(await l.ledger.checkpoints.load(job), { after: 'k150', done: 150 });
      await assert.rejects(l.ledger.checkpoints.clear(job, stale), isCode('lease.lost'));
    });

    test('a new holder that saves before loading also fences the stale one out', async () => {
      const job = 'job-fenced-save';
      const stale = await l.ledger.acquireLease({ name: job, holder: 'stale', ttlMs: 1000 });
      await l.ledger.checkpoints.save(job, { n: 1 }, stale);
      now += 2000;
      const fresh = await l.ledger.acquireLease({ name: job, holder: 'fresh', ttlMs: 1000 });
      await l.ledger.checkpoints.save(job, { n: 2 }, fresh);
      await assert.rejects(l.ledger.checkpoints.save(job, { n: 3 }, stale), isCode('lease.lost'));
      assert.deepEqual(await l.ledger.checkpoints.load(job), { n: 2 });
    });

    // A replace carries its condition in the write, so a store whose conditions are atomic sends it
    // without reading the document first (a patch is read first: its effect does not show whether
    // its condition held). Renewals, releases and claims are replaces for that round trip.
    test('renew, release and a checkpoint claim write the whole document under their condition', async (t) => {
      const job = 'job-whole-writes';
      const a = await l.ledger.acquireLease({ name: job, holder: 'a', ttlMs: 1000 });
      await l.ledger.checkpoints.save(job, { n: 1 }, a);
      const proto = Object.getPrototypeOf(l.ledger.store.collection(l.ledger.namespace.leases)) as {
        write: (...args: unknown[]) => Promise<unknown>;
      };
      const write = proto.write;
      const sent: string[] = [];
      t.mock.method(proto, 'write', function (this: { spec: { name: string } }, ...args: unknown[]) {
        for (const op of args[0] as { type: string; expect?: unknown }[])
          sent.push(
            `${this.spec.name === l.ledger.namespace.leases.name ? 'lease' : 'other'} ${op.type}${op.expect ? ' if' : ''}`,
          );
        return write.apply(this, args);
      });
      await a.renew();
      await a.release();
      const b = await l.ledger.acquireLease({ name: job, holder: 'b', ttlMs: 1000 });
      assert.deepEqual(await l.ledger.checkpoints.load(job, b), { n: 1 });
      t.mock.restoreAll();
      assert.deepEqual(sent, ['lease replace if', 'lease replace if', 'lease insert', 'other replace if']);
      await assert.rejects(l.ledger.checkpoints.save(job, { n: 2 }, a), isCode('lease.lost'));
      assert.equal((await l.ledger.readLease(job))?.holder, 'b');
    });

    test('writeFenced checks then writes under the fence, and refuses a stale holder', async () => {
      const c = l.ledger.store.collection(l.ledger.namespace.checkpoints);
      const a = await l.ledger.acquireLease({ name: 'approvals', holder: 'a', ttlMs: 1000 });
      const written = await writeFenced(c, 'plan-1', a, (current) => ({
        count: Number(current?.count ?? 0) + 1,
      }));
      assert.deepEqual(written, { count: 1, fence: a.token, fenceLease: 'approvals' });
      await writeFenced(c, 'plan-1', a, (current) => ({ count: Number(current?.count ?? 0) + 1 }));
      await assert.rejects(
        writeFenced(c, 'plan-1', a, () => {
          throw new Error('refused by the check');
        }),
        /refused by the check/,
      );
      now += 2000;
      const b = await l.ledger.acquireLease({ name: 'approvals', holder: 'b', ttlMs: 1000 });
      const byB = await writeFenced(c, 'plan-1', b, (current) => ({ count: Number(current?.count) + 1 }));
      assert.equal(byB?.count, 3);
      await assert.rejects(
        writeFenced(c, 'plan-1', a, (current) => current ?? null),
        isCode('lease.lost'),
      );
    });
  });
}
