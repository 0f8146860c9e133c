/**
 * The audit log on every selected store: appends, verification of the stored chain, tampering
 * through the raw seam, concurrent appenders and recovery from a crash mid-append.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import type { JsonObject } from '../../src/core/json.js';
import { isStewardError } from '../../src/errors/steward-error.js';
import { type AuditRecord, auditRecordHash, chainRecords } from '../../src/ledger/audit-chain.js';
import { auditHeadKey, auditRecordKey, readAuditHead, storedRecordDoc } from '../../src/ledger/audit-head.js';
import { type AuditLog, AuditLog as AuditLogClass } from '../../src/ledger/audit-log.js';
import { storedAuditRecord } from '../../src/ledger/audit-records.js';
import { keyId } from '../../src/stores/store.js';
import { selectedKinds } from '../support/test-stores.js';
import { openTestLedger, type TestLedger } from './test-ledger.js';

const entries = (n: number, from = 0) =>
  Array.from({ length: n }, (_, i) => ({
    action: 'test.append',
    subject: `doc-${from + i}`,
    details: { i: from + i },
  }));

async function stored(audit: AuditLog, seq: number): Promise<JsonObject> {
  const found = await audit.collection.getMany([auditRecordKey(seq)]);
  const doc = found.get(keyId(auditRecordKey(seq)));
  assert.ok(doc, `record ${seq} is stored`);
  return doc;
}

const problemsOf = async (audit: AuditLog) =>
  (await audit.verify({ pageSize: 7 })).problems.map((p) => [p.kind, p.seq]);

for (const kind of selectedKinds()) {
  describe(`audit log on ${kind}`, () => {
    const opened: TestLedger[] = [];
    const fresh = async () => {
      const l = await openTestLedger(kind);
      opened.push(l);
      return l;
    };
    after(async () => {
      for (const l of opened) await l.cleanup();
    });

    test('300 appended records verify, and read back in seq order', async () => {
      const { ledger } = await fresh();
      const first = await ledger.audit.append({ action: 'test.first', subject: 'one' });
      assert.equal(first.seq, 1);
      const many = await ledger.audit.appendMany(entries(250, 1));
      assert.deepEqual(
        many.map((r) => r.seq),
        Array.from({ length: 250 }, (_, i) => i + 2),
      );
      for (const entry of entries(49, 251)) await ledger.audit.append(entry);
      const result = await ledger.audit.verify({ pageSize: 64 });
      assert.deepEqual(result.problems, []);
      assert.equal(result.ok, true);
      assert.equal(result.checked, 300);
      assert.equal(result.head?.seq, 300);
      let expected = 1;
      for await (const record of ledger.audit.records({ pageSize: 100 })) {
        assert.equal(record.seq, expected++);
        assert.equal(record.hash, auditRecordHash(record));
      }
      assert.equal(expected, 301);
      assert.equal(many[0]?.actor, 'test');
      assert.deepEqual(many[0]?.details, { i: 1 });
    });

    test('a modified record is found by its hash, a re-hashed one by the next link', async () => {
      const { ledger } = await fresh();
      await ledger.audit.appendMany(entries(20));
      const c = ledger.audit.collection;
      await c.write([{ type: 'replace', doc: { ...(await stored(ledger.audit, 7)), subject: 'rewritten' } }]);
      assert.deepEqual(await problemsOf(ledger.audit), [['modified', 7]]);

      const forged = { ...(await stored(ledger.audit, 7)) };
      const { [c.spec.keyField]: _key, ...content } = forged;
      await c.write([{ type: 'replace', doc: { ...forged, hash: auditRecordHash(content as AuditRecord) } }]);
      assert.deepEqual(await problemsOf(ledger.audit), [['broken-link', 8]]);
    });

    test('a deleted record in the middle is a gap, a deleted last record a head mismatch', async () => {
      const { ledger } = await fresh();
      await ledger.audit.appendMany(entries(20));
      const c = ledger.audit.collection;
      await c.write([{ type: 'delete', key: auditRecordKey(10) }]);
      assert.deepEqual(await problemsOf(ledger.audit), [['gap', 10]]);
      await c.write([{ type: 'delete', key: auditRecordKey(20) }]);
      const result = await ledger.audit.verify();
      assert.equal(result.ok, false);
      assert.deepEqual(
        result.problems.map((p) => [p.kind, p.seq]),
        [
          ['gap', 10],
          ['head-mismatch', 20],
          ['shrunk', 20],
        ],
      );
      assert.match(result.problems[1]!.message, /reaches seq 20, the last record found is seq 19/);
    });

    test('swapped records are reported out of order', async () => {
      const { ledger } = await fresh();
      await ledger.audit.appendMany(entries(12));
      const c = ledger.audit.collection;
      const five = await stored(ledger.audit, 5);
      const six = await stored(ledger.audit, 6);
      const key = c.spec.keyField;
      await c.write([
        { type: 'replace', doc: { ...six, [key]: five[key]! } },
        { type: 'replace', doc: { ...five, [key]: six[key]! } },
      ]);
      assert.deepEqual(await problemsOf(ledger.audit), [
        ['gap', 5],
        ['out-of-order', 5],
      ]);
    });

    test('a head lagging behind is fine, a head whose hash differs is not', async () => {
      const { ledger } = await fresh();
      const records = await ledger.audit.appendMany(entries(5));
      const c = ledger.audit.collection;
      const headAt = (seq: number, hash: string) => ({ [c.spec.keyField]: auditHeadKey, seq, hash });
      await c.write([{ type: 'replace', doc: headAt(2, records[1]!.hash) }]);
      assert.deepEqual(await problemsOf(ledger.audit), []);
      assert.equal((await ledger.audit.append({ action: 'a', subject: 'b' })).seq, 6);
      assert.equal((await ledger.audit.head())?.seq, 6);
      await c.write([{ type: 'replace', doc: headAt(6, records[0]!.hash) }]);
      assert.deepEqual(await problemsOf(ledger.audit), [['head-mismatch', 6]]);
    });

    test('a record appended outside steward without the right link is reported', async () => {
      const { ledger } = await fresh();
      const records = await ledger.audit.appendMany(entries(5));
      const [extra] = chainRecords(records[2]!, entries(1), { actor: 'intruder', at: records[0]!.at });
      await ledger.audit.collection.write([
        { type: 'insert', doc: storedAuditRecord(ledger.audit.collection, { ...extra!, seq: 6 }) },
      ]);
      const problems = await problemsOf(ledger.audit);
      assert.deepEqual(problems, [
        ['modified', 6],
        ['broken-link', 6],
      ]);
    });

    test('concurrent appends from two ledgers form one unbroken chain', async () => {
      const l = await fresh();
      const other = await l.another();
      const appends = Array.from({ length: 60 }, (_, i) => [
        l.ledger.audit.append({ action: 'a', subject: `a${i}` }),
        other.audit.append({ action: 'b', subject: `b${i}` }),
        ...(i % 10 === 0
          ? [other.audit.appendMany(entries(5, i)), l.ledger.audit.appendMany(entries(5, i))]
          : []),
      ]).flat();
      const [during] = await Promise.all([l.ledger.audit.verify({ pageSize: 5 }), ...appends]);
      assert.deepEqual(during.problems, [], 'appends running meanwhile are not problems');
      const result = await l.ledger.audit.verify();
      assert.deepEqual(result.problems, []);
      assert.equal(result.checked, 180);
      const subjects = new Set<string>();
      for await (const record of l.ledger.audit.records()) subjects.add(record.subject);
      for (let i = 0; i < 60; i++)
        assert.ok(subjects.has(`a${i}`) && subjects.has(`b${i}`), `a${i} and b${i} kept`);
    });

    test("an append after this process's own reads only the head; after another's, it finds the tip", async () => {
      const l = await fresh();
      const real = l.ledger.audit.collection;
      let reads = 0;
      const counted = new Proxy(real, {
        get(target, prop) {
          const value = Reflect.get(target, prop, target);
          if (prop !== 'getMany' || typeof value !== 'function') return value;
          return (...args: unknown[]) => {
            reads++;
            return value.apply(target, args);
          };
        },
      });
      const audit = new AuditLogClass(counted, { actor: 'counted' });
      assert.equal((await audit.append({ action: 'a', subject: '1' })).seq, 1);
      reads = 0;
      assert.equal((await audit.append({ action: 'a', subject: '2' })).seq, 2);
      assert.equal(reads, 1, 'the head, not the records after it');
      const other = await l.another();
      assert.equal((await other.audit.append({ action: 'b', subject: '3' })).seq, 3);
      const fourth = await audit.append({ action: 'a', subject: '4' });
      assert.equal(fourth.seq, 4);
      assert.ok(reads > 0, 'the claim of seq 3 failed, so the tip was read');
      assert.equal((await audit.append({ action: 'a', subject: '5' })).seq, 5);
      assert.deepEqual(await problemsOf(l.ledger.audit), []);
      assert.equal((await l.ledger.audit.head())?.seq, 5);
    });

    test('a batch whose first record was stored but not the rest (a crash) is kept and completed', async () => {
      const { ledger } = await fresh();
      await ledger.audit.appendMany(entries(3));
      const c = ledger.audit.collection;
      const tip = (await readAuditHead(c))!;
      const [first, ...rest] = chainRecords(tip, entries(3, 3), {
        actor: 'crashed',
        at: new Date().toISOString(),
      });
      await c.write([{ type: 'insert', doc: storedRecordDoc(c, first!, rest) }]);
      const during = await ledger.audit.verify();
      assert.deepEqual(during.problems, []);
      assert.equal(during.checked, 6);
      const next = await ledger.audit.append({ action: 'after', subject: 'crash' });
      assert.equal(next.seq, 7);
      assert.equal(next.prevHash, rest.at(-1)!.hash);
      assert.equal((await stored(ledger.audit, 5)).actor, 'crashed');
      assert.equal(
        (await stored(ledger.audit, 4)).carries,
        undefined,
        'the carrier dropped its batch once stored',
      );
      const result = await ledger.audit.verify();
      assert.deepEqual(result.problems, []);
      assert.equal(result.checked, 7);
    });
    // Only SQLite stores a document as text that can be something other than JSON.
    if (kind === 'sqlite') {
      test('a record whose stored text is not JSON is reported at its seq; readers get store.corrupt', async () => {
        const l = await fresh();
        await l.ledger.audit.appendMany(entries(9));
        const { file } = l.t.config as { file: string };
        const db = new Database(file);
        db.prepare(`UPDATE "${l.ledger.namespace.audit.name}" SET doc = ? WHERE k = ?`).run(
          '{"seq": 3,',
          keyId(auditRecordKey(3)),
        );
        db.close();
        const result = await l.ledger.audit.verify({ pageSize: 4 });
        assert.deepEqual(
          result.problems.map((p) => [p.kind, p.seq]),
          [['unreadable', 3]],
        );
        assert.match(
          result.problems[0]!.message,
          /^the record at seq 3 is not readable: .*"000000000003".*not JSON/,
        );
        assert.equal(result.checked, 9);
        await assert.rejects(
          async () => {
            for await (const _ of l.ledger.audit.records()) {
              // reading on until the unreadable record
            }
          },
          (e) =>
            isStewardError(e, 'store.corrupt') &&
            e.exitCode === 3 &&
            e.message.includes(`collection "${l.ledger.namespace.audit.name}"`),
        );
      });
    }
  });
}
