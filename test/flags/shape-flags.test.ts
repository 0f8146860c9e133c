/**
 * Shape flags on every selected store: set and read, history, the allowed set, concurrent
 * setters through separate connections, a setter that crashed mid-change, and the audit trail
 * of every change, checked against the verified audit chain.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { isStewardError } from '../../src/errors/steward-error.js';
import { flagGenerationKey, listFlagGenerations } from '../../src/flags/flag-generations.js';
import { readShapeFlag, shapeFlagHistory } from '../../src/flags/read-shape-flag.js';
import { setShapeFlag } from '../../src/flags/set-shape-flag.js';
import { shapeFlagCache } from '../../src/flags/shape-flag-cache.js';
import type { AuditRecord } from '../../src/ledger/audit-chain.js';
import type { Ledger } from '../../src/ledger/ledger.js';
import { withKey } from '../../src/ledger/ledger-document.js';
import { openTestLedger, type TestLedger } from '../ledger/test-ledger.js';
import { selectedKinds } from '../support/test-stores.js';

const isCode = (code: 'input.invalid' | 'ledger.conflict') => (error: unknown) => isStewardError(error, code);

async function auditRecords(ledger: Ledger): Promise<AuditRecord[]> {
  const records: AuditRecord[] = [];
  for await (const record of ledger.audit.records()) records.push(record);
  return records;
}

/**
 * Every applied generation of every flag has its audit record at the seq it names, with the same
 * hash and content; every `flag.set` record belongs to a generation; the chain verifies.
 */
async function assertEveryChangeAudited(ledger: Ledger): Promise<number> {
  const verification = await ledger.audit.verify();
  assert.deepEqual(verification.problems, [], 'the audit chain verifies');
  const records = new Map((await auditRecords(ledger)).map((r) => [r.seq, r]));
  const collection = ledger.store.collection(ledger.namespace.flags);
  const applied = (await listFlagGenerations(collection)).filter((g) => g.auditSeq !== null);
  for (const g of applied) {
    const record = records.get(g.auditSeq!);
    assert.ok(record, `${g.name} #${g.generation}: audit record ${g.auditSeq} exists`);
    assert.equal(record.hash, g.auditHash);
    assert.equal(record.action, 'flag.set');
    assert.equal(record.actor, g.actor);
    assert.deepEqual(record.details, {
      name: g.name,
      generation: g.generation,
      from: g.previous,
      to: g.value,
      reason: g.reason,
      allowed: g.allowed,
    });
  }
  const flagRecords = [...records.values()].filter((r) => r.action === 'flag.set');
  assert.equal(flagRecords.length, applied.length, 'one flag.set record per applied change, no more');
  return applied.length;
}

for (const kind of selectedKinds()) {
  describe(`shape flags on ${kind}`, () => {
    let now = Date.UTC(2026, 0, 1);
    const clock = () => now;
    let l: TestLedger;
    before(async () => {
      l = await openTestLedger(kind, { clock });
    });
    after(async () => l.cleanup());

    const set = (
      name: string,
      value: string,
      more: { allowed?: string[]; ledger?: Ledger; actor?: string } = {},
    ) =>
      setShapeFlag(more.ledger ?? l.ledger, {
        name,
        value,
        reason: `switch ${name} to ${value}`,
        actor: more.actor ?? 'alice',
        clock,
        ...(more.allowed ? { allowed: more.allowed } : {}),
      });

    test('a flag never set reads as undefined, also before the flags collection exists', async () => {
      assert.equal(await readShapeFlag(l.ledger, 'nothing.here'), undefined);
      assert.deepEqual(await shapeFlagHistory(l.ledger, 'nothing.here'), []);
    });

    test('set, then read from the ledger or from the store alone', async () => {
      const result = await set('cases.read-shape', 'v1', { allowed: ['v1', 'dual', 'v2'] });
      assert.equal(result.changed, true);
      const flag = await readShapeFlag(l.ledger, 'cases.read-shape');
      assert.deepEqual(flag, {
        name: 'cases.read-shape',
        value: 'v1',
        generation: 1,
        since: new Date(now).toISOString(),
        by: 'alice',
        reason: 'switch cases.read-shape to v1',
        allowed: ['v1', 'dual', 'v2'],
        auditSeq: result.flag.auditSeq,
      });
      const fromStore = await readShapeFlag(l.t.store, 'cases.read-shape', { namespacePrefix: l.prefix });
      assert.deepEqual(fromStore, flag);
      const again = await set('cases.read-shape', 'v1');
      assert.equal(again.changed, false, 'the same value writes nothing');
      assert.equal((await shapeFlagHistory(l.ledger, 'cases.read-shape')).length, 1);
      await assertEveryChangeAudited(l.ledger);
    });

    test('history lists every change oldest first, each from the value before it', async () => {
      const name = 'tasks.write-shape';
      for (const value of ['v1', 'dual', 'v2', 'dual']) {
        now += 1000;
        await set(name, value, { actor: `op-${value}` });
      }
      const history = await shapeFlagHistory(l.ledger, name);
      assert.deepEqual(
        history.map((c) => [c.generation, c.previous, c.value, c.actor, c.state]),
        [
          [1, null, 'v1', 'op-v1', 'applied'],
          [2, 'v1', 'dual', 'op-dual', 'applied'],
          [3, 'dual', 'v2', 'op-v2', 'applied'],
          [4, 'v2', 'dual', 'op-dual', 'applied'],
        ],
      );
      assert.ok(history.every((c, i) => i === 0 || c.at > history[i - 1]!.at));
      assert.equal((await readShapeFlag(l.ledger, name))?.value, 'dual');
    });

    test('a value outside the allowed set is refused and nothing is written', async () => {
      const name = 'people.read-shape';
      await set(name, 'v1', { allowed: ['v1', 'v2'] });
      const flags = l.ledger.store.collection(l.ledger.namespace.flags);
      const before = { flags: await flags.count(), head: await l.ledger.audit.head() };
      await assert.rejects(set(name, 'v3'), (e: unknown) => {
        assert.ok(isCode('input.invalid')(e));
        assert.match((e as Error).message, /flag "people.read-shape" cannot be "v3": its values are v1, v2/);
        return true;
      });
      await assert.rejects(
        set(name, 'v2', { allowed: ['v1', 'v2', 'v3'] }),
        /--allowed is only taken when a flag is first set/,
      );
      await assert.rejects(set('bad name!', 'v1'), isCode('input.invalid'));
      await assert.rejects(
        setShapeFlag(l.ledger, { name, value: 'v2', reason: ' ', actor: 'a' }),
        /needs a reason/,
      );
      assert.deepEqual({ flags: await flags.count(), head: await l.ledger.audit.head() }, before);
      assert.equal(
        (await set(name, 'v2', { allowed: ['v2', 'v1'] })).changed,
        true,
        'the same set again is fine',
      );
    });

    test('concurrent setters: one wins each generation, losers are told to retry, every change is audited', async () => {
      const clients = await Promise.all([1, 2, 3, 4].map((i) => l.another({ actor: `client-${i}`, clock })));
      const name = 'orders.read-shape';
      const won: number[] = [];
      for (let round = 0; round < 8; round++) {
        const outcomes = await Promise.allSettled(
          clients.map((ledger, i) => set(name, `r${round}-c${i}`, { ledger, actor: `client-${i}` })),
        );
        for (const o of outcomes) {
          if (o.status === 'fulfilled') {
            assert.equal(o.value.changed, true);
            won.push(o.value.flag.generation);
          } else {
            assert.ok(isCode('ledger.conflict')(o.reason), `round ${round}: ${o.reason}`);
            assert.match((o.reason as Error).message, /retry/);
          }
        }
        assert.ok(
          outcomes.some((o) => o.status === 'fulfilled'),
          `round ${round}: someone wins`,
        );
      }
      assert.ok(won.length < 8 * clients.length, 'some setters lost a race');
      assert.equal(new Set(won).size, won.length, `generations are unique: ${won.join(',')}`);
      const history = await shapeFlagHistory(l.ledger, name);
      assert.equal(history.length, won.length, 'losers wrote no generation');
      assert.ok(history.every((c) => c.state === 'applied'));
      for (let i = 1; i < history.length; i++) assert.equal(history[i]!.previous, history[i - 1]!.value);
      assert.equal((await readShapeFlag(l.ledger, name))?.generation, Math.max(...won));
      await assertEveryChangeAudited(l.ledger);
    });

    test('a change whose setter died before auditing it never takes effect, and blocks others only briefly', async () => {
      const name = 'cases.crashed';
      await set(name, 'v1');
      const flags = l.ledger.store.collection(l.ledger.namespace.flags);
      const dead = {
        name,
        generation: 2,
        value: 'v2',
        previous: 'v1',
        reason: 'crashed',
        actor: 'ghost',
        at: new Date(now).toISOString(),
        allowed: null,
        auditSeq: null,
        auditHash: null,
        abandoned: null,
      };
      await flags.write([{ type: 'insert', doc: withKey(flags, flagGenerationKey(name, 2), dead) }]);
      assert.equal(
        (await readShapeFlag(l.ledger, name))?.value,
        'v1',
        'the unaudited change is not in effect',
      );
      await assert.rejects(set(name, 'v3'), (e: unknown) => {
        assert.ok(isCode('ledger.conflict')(e));
        assert.match((e as Error).message, /being changed to "v2" by ghost \(generation 2/);
        return true;
      });
      now += 61_000;
      const result = await set(name, 'v3');
      assert.equal(result.changed && result.flag.generation, 3);
      assert.equal(
        result.changed && result.previous,
        'v1',
        'from the value in effect, not the abandoned one',
      );
      const history = await shapeFlagHistory(l.ledger, name);
      assert.deepEqual(
        history.map((c) => [c.generation, c.value, c.state]),
        [
          [1, 'v1', 'applied'],
          [2, 'v2', 'abandoned'],
          [3, 'v3', 'applied'],
        ],
      );
      await assertEveryChangeAudited(l.ledger);
    });

    test('a cache reads the store at most once per max age', async () => {
      const name = 'cases.cached';
      await set(name, 'v1');
      const cache = shapeFlagCache(l.t.store, { namespacePrefix: l.prefix, maxAgeMs: 5000, clock });
      assert.equal((await cache.get(name))?.value, 'v1');
      await set(name, 'v2');
      assert.equal((await cache.get(name))?.value, 'v1', 'still cached');
      now += 5000;
      assert.equal((await cache.get(name))?.value, 'v2', 'read again once old');
    });
  });
}
