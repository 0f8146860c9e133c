/** The audit chain's pure checks, over records built in memory: no store involved. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  type AuditRecord,
  auditRecordHash,
  chainRecords,
  emptyTip,
  verifyAuditChain,
} from '../../src/ledger/audit-chain.js';

const at = '2026-01-01T00:00:00.000Z';
const chain = (n: number): AuditRecord[] =>
  chainRecords(
    emptyTip,
    Array.from({ length: n }, (_, i) => ({ action: 'test.append', subject: `s${i}`, details: { i } })),
    { actor: 'tester', at },
  );
const tipOf = (records: AuditRecord[]) => ({ seq: records.at(-1)!.seq, hash: records.at(-1)!.hash });

test('a chain built by chainRecords verifies, from an array or an async iterable', async () => {
  const records = chain(50);
  assert.deepEqual((await verifyAuditChain(records, { head: tipOf(records) })).problems, []);
  async function* stream() {
    yield* records;
  }
  const result = await verifyAuditChain(stream(), { head: tipOf(records) });
  assert.equal(result.ok, true);
  assert.equal(result.checked, 50);
  assert.deepEqual(result.tip, tipOf(records));
});

test('extending a chain at its tip links to the tip', () => {
  const first = chain(3);
  const more = chainRecords(tipOf(first), [{ action: 'a', subject: 'b' }], { actor: 'x', at });
  assert.equal(more[0]?.seq, 4);
  assert.equal(more[0]?.prevHash, first[2]?.hash);
  assert.equal(more[0]?.hash, auditRecordHash(more[0]!));
});

test('each kind of damage is reported with its seq', async () => {
  const records = chain(10);
  const head = tipOf(records);
  const modified = records.map((r) => (r.seq === 4 ? { ...r, subject: 'changed' } : r));
  assert.deepEqual(
    (await verifyAuditChain(modified, { head })).problems.map((p) => [p.kind, p.seq]),
    [['modified', 4]],
  );
  const removed = records.filter((r) => r.seq !== 6);
  assert.deepEqual(
    (await verifyAuditChain(removed, { head })).problems.map((p) => [p.kind, p.seq]),
    [['gap', 6]],
  );
  const swapped = [...records.slice(0, 4), records[5]!, records[4]!, ...records.slice(6)];
  const kinds = (await verifyAuditChain(swapped, { head })).problems.map((p) => [p.kind, p.seq]);
  assert.deepEqual(kinds, [
    ['gap', 5],
    ['out-of-order', 5],
  ]);
  const lastRemoved = records.slice(0, -1);
  assert.deepEqual(
    (await verifyAuditChain(lastRemoved, { head })).problems.map((p) => [p.kind, p.seq]),
    [['head-mismatch', 10]],
  );
});

test('a head behind the last record is fine; one past it or with another hash is not', async () => {
  const records = chain(10);
  assert.equal((await verifyAuditChain(records, { head: tipOf(records.slice(0, 4)) })).ok, true);
  const wrongHash = { seq: 4, hash: records[0]!.hash };
  assert.deepEqual(
    (await verifyAuditChain(records, { head: wrongHash })).problems.map((p) => [p.kind, p.seq]),
    [['head-mismatch', 4]],
  );
  const ahead = { seq: 11, hash: records[0]!.hash };
  assert.equal((await verifyAuditChain(records, { head: ahead })).problems[0]?.kind, 'head-mismatch');
});

test('a record rewritten with a valid hash still breaks the next link', async () => {
  const records = chain(5);
  const forged = { ...records[2]!, subject: 'forged' };
  const rehashed = { ...forged, hash: auditRecordHash(forged) };
  const result = await verifyAuditChain([...records.slice(0, 2), rehashed, ...records.slice(3)]);
  assert.deepEqual(
    result.problems.map((p) => [p.kind, p.seq]),
    [['broken-link', 4]],
  );
  assert.match(result.problems[0]!.message, /prevHash/);
});

test('malformed records are reported, and problems are capped but counted', async () => {
  const records: unknown[] = [...chain(3), { seq: 'x' }];
  const result = await verifyAuditChain(records as AuditRecord[]);
  assert.deepEqual(
    result.problems.map((p) => p.kind),
    ['malformed'],
  );
  const many = chain(20).map((r) => ({ ...r, actor: 'someone else' }));
  const capped = await verifyAuditChain(many, { maxProblems: 5 });
  assert.equal(capped.problems.length, 5);
  assert.equal(capped.problemCount, 20);
});
