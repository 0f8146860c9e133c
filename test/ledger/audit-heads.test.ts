/**
 * Audit heads kept apart from the log, on every selected store: a log deleted whole, cut short, or
 * cut short with its head rewritten fails verification against the witness and the checkpoints;
 * a head kept elsewhere (`recorded`, as `audit verify --expect-head` passes it) passes while the
 * log holds it and fails once it does not.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import type { RecordedHead } from '../../src/ledger/audit-chain.js';
import { auditHeadKey, auditRecordKey } from '../../src/ledger/audit-head.js';
import { auditHead, formatAuditHead, parseAuditHead, recordedHead } from '../../src/ledger/audit-head-ref.js';
import { auditWitnessKey, readAuditWitness } from '../../src/ledger/audit-witness.js';
import type { Ledger } from '../../src/ledger/ledger.js';
import { verifyExistingAuditLog } from '../../src/ledger/verify-existing-audit-log.js';
import { scanDocuments } from '../../src/stores/scan-pages.js';
import { type Collection, docKey } from '../../src/stores/store.js';
import { selectedKinds } from '../support/test-stores.js';
import { openTestLedger, type TestLedger } from './test-ledger.js';

const entries = (n: number, from = 0) =>
  Array.from({ length: n }, (_, i) => ({ action: 'test.append', subject: `doc-${from + i}` }));

/** Deletes every document of a collection through the seam, as a careless cleanup would. */
async function deleteAll(collection: Collection): Promise<void> {
  const keys = [];
  for await (const doc of scanDocuments(collection)) keys.push(docKey(doc, collection.spec)!);
  await collection.write(keys.map((key) => ({ type: 'delete' as const, key })));
}

/** Deletes the records after `seq`, and with `rewriteHead` points the head at `seq`, as a forger would. */
async function cutTail(ledger: Ledger, seq: number, last: number, rewriteHead: boolean): Promise<string> {
  const c = ledger.audit.collection;
  const ops = Array.from({ length: last - seq }, (_, i) => ({
    type: 'delete' as const,
    key: auditRecordKey(seq + 1 + i),
  }));
  await c.write(ops);
  const kept = [];
  for await (const r of ledger.audit.records()) kept.push(r);
  const hash = kept.at(-1)!.hash;
  if (rewriteHead) await c.write([{ type: 'replace', doc: { [c.spec.keyField]: auditHeadKey, seq, hash } }]);
  return hash;
}

const kindsOf = (problems: readonly { kind: string; seq: number }[]) => problems.map((p) => [p.kind, p.seq]);

for (const kind of selectedKinds()) {
  describe(`audit heads kept apart from the log on ${kind}`, () => {
    const opened: TestLedger[] = [];
    const fresh = async () => {
      const l = await openTestLedger(kind);
      opened.push(l);
      return l;
    };
    after(async () => {
      for (const l of opened) await l.cleanup();
    });

    test('appends move the witness to the end of the chain; auditHead reads the same', async () => {
      const { ledger } = await fresh();
      assert.equal(await readAuditWitness(witnessOf(ledger)), undefined, 'no witness before any append');
      const records = await ledger.audit.appendMany(entries(130));
      await ledger.audit.append({ action: 'one', subject: 'more' });
      const head = await auditHead(ledger);
      assert.equal(head.seq, 131);
      const witness = await readAuditWitness(witnessOf(ledger));
      assert.deepEqual({ seq: witness?.seq, hash: witness?.hash }, head);
      assert.equal(records[129]!.seq, 130);
      const result = await ledger.audit.verify();
      assert.deepEqual(result.problems, []);
    });

    test('deleting the whole log fails verification, also once the ledger is opened again', async () => {
      const l = await fresh();
      await l.ledger.audit.appendMany(entries(20));
      const { hash } = await auditHead(l.ledger);
      await deleteAll(l.ledger.audit.collection);
      const reopened = await l.another();
      const result = await reopened.audit.verify();
      assert.equal(result.ok, false);
      assert.equal(result.checked, 0);
      assert.deepEqual(kindsOf(result.problems), [['shrunk', 20]]);
      assert.match(
        result.problems[0]!.message,
        new RegExp(
          `the audit head witness recorded seq 20 \\(${hash.slice(0, 12)}\\).*the log now has no records`,
        ),
      );
    });

    test('dropping the log collection: the read-only check (doctor) finds it shrank, not "not created"', async () => {
      const l = await fresh();
      await l.ledger.audit.appendMany(entries(7));
      await l.t.store.dropCollection(l.ledger.namespace.audit);
      const result = await verifyExistingAuditLog(l.t.store, l.prefix);
      assert.ok(result, 'the ledger is not reported as never created');
      assert.equal(result.ok, false);
      assert.deepEqual(kindsOf(result.problems), [['shrunk', 7]]);
    });

    test('cutting the tail fails; cutting it and rewriting the head fails too', async () => {
      const { ledger } = await fresh();
      await ledger.audit.appendMany(entries(20));
      await cutTail(ledger, 15, 20, false);
      const cut = await ledger.audit.verify();
      assert.deepEqual(kindsOf(cut.problems), [
        ['head-mismatch', 20],
        ['shrunk', 20],
      ]);
      await cutTail(ledger, 12, 15, true);
      const forged = await ledger.audit.verify({ pageSize: 7 });
      assert.equal(forged.ok, false);
      assert.deepEqual(kindsOf(forged.problems), [['shrunk', 20]]);
      assert.match(forged.problems[0]!.message, /recorded seq 20 .*; the log now ends at seq 12 \(/);
    });

    test('a cut log that grows again past the witness is still found rewritten; the witness keeps its record', async () => {
      const { ledger } = await fresh();
      await ledger.audit.appendMany(entries(10));
      const witnessed = await readAuditWitness(witnessOf(ledger));
      await cutTail(ledger, 6, 10, true);
      for (let i = 0; i < 6; i++) await ledger.audit.append({ action: 'after', subject: `cut-${i}` });
      assert.equal((await auditHead(ledger)).seq, 12);
      const after = await readAuditWitness(witnessOf(ledger));
      assert.deepEqual(after, witnessed, 'the witness was not moved onto the rewritten chain');
      const result = await ledger.audit.verify();
      assert.deepEqual(kindsOf(result.problems), [['rewritten', 10]]);
    });

    test("a job's checkpoint keeps the head too: with the witness gone as well, a cut still fails", async () => {
      const { ledger } = await fresh();
      await ledger.audit.appendMany(entries(9));
      const lease = await ledger.acquireLease({ name: 'job', holder: 'me', ttlMs: 60_000 });
      await ledger.checkpoints.save('job', { n: 1 }, lease);
      await deleteAll(witnessOf(ledger));
      await cutTail(ledger, 4, 9, true);
      const result = await ledger.audit.verify();
      assert.deepEqual(kindsOf(result.problems), [['shrunk', 9]]);
      assert.match(result.problems[0]!.message, /checkpoint "job" recorded seq 9/);
    });

    test('a head kept elsewhere passes while the log holds it (grown since), fails beyond it or rewritten', async () => {
      const { ledger } = await fresh();
      await ledger.audit.appendMany(entries(5));
      const kept = await auditHead(ledger);
      await ledger.audit.appendMany(entries(3, 5));
      const expect = (head: { seq: number; hash: string }): RecordedHead[] => [
        recordedHead(head, '--expect-head'),
      ];
      assert.deepEqual((await ledger.audit.verify({ recorded: expect(kept) })).problems, []);
      const beyond = await ledger.audit.verify({ recorded: expect({ seq: 9, hash: kept.hash }) });
      assert.deepEqual(kindsOf(beyond.problems), [['shrunk', 9]]);
      assert.match(beyond.problems[0]!.message, /--expect-head recorded seq 9 .*the log now ends at seq 8/);
      const other = await ledger.audit.verify({ recorded: expect({ seq: 5, hash: 'a'.repeat(64) }) });
      assert.deepEqual(kindsOf(other.problems), [['rewritten', 5]]);
    });

    test('a ledger from before the witness gets one at its next append', async () => {
      const { ledger } = await fresh();
      await ledger.audit.appendMany(entries(4));
      await witnessOf(ledger).write([{ type: 'delete', key: auditWitnessKey }]);
      assert.deepEqual((await ledger.audit.verify()).problems, []);
      await ledger.audit.append({ action: 'next', subject: 'one' });
      assert.equal((await readAuditWitness(witnessOf(ledger)))?.seq, 5);
    });

    test('a witness changed outside steward: appends go on and leave it, verification says so', async () => {
      const { ledger } = await fresh();
      await ledger.audit.appendMany(entries(3));
      const w = witnessOf(ledger);
      await w.write([{ type: 'replace', doc: { [w.spec.keyField]: auditWitnessKey, seq: 'three' } }]);
      assert.equal((await ledger.audit.append({ action: 'after', subject: 'tamper' })).seq, 4);
      await assert.rejects(
        ledger.audit.verify(),
        (e: Error & { code?: string }) =>
          e.code === 'ledger.conflict' &&
          /the audit head witness "audit" in ".*audit_witness" is malformed/.test(e.message),
      );
    });

    test('concurrent appenders leave a witness the chain holds', async () => {
      const l = await fresh();
      const other = await l.another();
      await Promise.all(
        Array.from({ length: 30 }, (_, i) => [
          l.ledger.audit.append({ action: 'a', subject: `a${i}` }),
          other.audit.append({ action: 'b', subject: `b${i}` }),
        ]).flat(),
      );
      const witness = await readAuditWitness(witnessOf(l.ledger));
      assert.ok(witness && witness.seq > 0 && witness.seq <= 60);
      assert.deepEqual((await l.ledger.audit.verify()).problems, []);
    });
  });
}

test('audit heads as text: <seq>:<hash>, and what is refused', () => {
  const head = { seq: 42, hash: 'ab'.repeat(32) };
  assert.equal(formatAuditHead(head), `42:${'ab'.repeat(32)}`);
  assert.deepEqual(parseAuditHead(formatAuditHead(head)), head);
  assert.deepEqual(parseAuditHead(` 42:${'AB'.repeat(32)}\n`), head);
  for (const bad of ['42', `42:${'ab'.repeat(31)}`, `-1:${'ab'.repeat(32)}`, `x:${'ab'.repeat(32)}`, '']) {
    assert.throws(
      () => parseAuditHead(bad, '--expect-head'),
      (e: Error & { code?: string }) =>
        e.code === 'input.invalid' && /--expect-head must be <seq>:<hash>/.test(e.message),
    );
  }
});

/** The witness collection of a ledger, through the seam. */
function witnessOf(ledger: Ledger): Collection {
  return ledger.store.collection(ledger.namespace.auditWitness);
}
