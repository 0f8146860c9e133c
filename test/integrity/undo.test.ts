/**
 * `refs repair --undo <run>` on every selected store: a repair run and then its undo leave the
 * user's collections exactly as before (full contents compared), for every policy that writes;
 * the run's incidents are open again; a second undo writes nothing; a document changed since the
 * repair is a conflict, left alone unless forced; an unknown run is refused; a dry run writes
 * nothing; undoing an old run never touches what a later run did.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import type { Approval } from '../../src/approvals/approval.js';
import { generateApproverKeys, parsePrivateKey, signApproval } from '../../src/approvals/approval-keys.js';
import { recordApproval } from '../../src/approvals/approval-ledger.js';
import type { Approver } from '../../src/approvals/approval-policy.js';
import { isStewardError } from '../../src/errors/steward-error.js';
import { repairReference } from '../../src/integrity/repair/repair-reference.js';
import { undoRepairRun } from '../../src/integrity/undo/undo-repair-run.js';
import type { UndoReport } from '../../src/integrity/undo/undo-report.js';
import type { AuditRecord } from '../../src/ledger/audit-chain.js';
import { type Incident, listIncidents } from '../../src/ledger/incidents.js';
import { selectedKinds } from '../support/test-stores.js';
import { type Fixture, reference, repairContext, scanInto, seededWorlds } from './integrity-fixture.js';

const alice = generateApproverKeys();
const approvers = new Map<string, Approver>([
  ['alice', { name: 'alice', publicKeyPem: alice.publicKeyPem, roles: ['owner'], owns: [] }],
]);
const approvalPolicies = new Map([['refs.delete-dependent', { required: 1, roles: ['owner'] }]]);

function approval(subject: string): Approval {
  const now = Date.now();
  return signApproval(
    {
      subject,
      subjectKind: 'refs.delete-dependent',
      approver: 'alice',
      role: 'owner',
      signedAt: new Date(now - 60_000).toISOString(),
      expiresAt: new Date(now + 3_600_000).toISOString(),
    },
    parsePrivateKey(alice.privateKeyPem, 'test'),
  );
}

const users = ['accounts', 'archive', 'profiles', 'subjects', 'cases'] as const;

async function incidentsOf(f: Fixture, subject: string): Promise<Incident[]> {
  const out: Incident[] = [];
  for await (const i of listIncidents(f.incidents(), { subject })) out.push(i);
  return out.sort((a, b) => String(a.key).localeCompare(String(b.key)));
}

async function auditRecords(f: Fixture, action: string): Promise<AuditRecord[]> {
  const out: AuditRecord[] = [];
  for await (const r of f.tl.ledger.audit.records()) if (r.action === action) out.push(r);
  return out;
}

const statuses = (report: UndoReport) =>
  Object.fromEntries(report.items.map((i) => [String(i.key), i.status]).sort());

for (const kind of selectedKinds()) {
  describe(`refs repair --undo on ${kind}`, () => {
    const fresh = seededWorlds(kind, after);

    test('nullify and tombstone runs undone: the collections are exactly as before, the incidents open again', async () => {
      const f = await fresh();
      const refs = [reference('profiles.accountId', 'nullify'), reference('cases.subjectIds', 'tombstone')];
      for (const r of refs) await scanInto(f, r);
      const before = await f.checksum([...users]);
      const ctx = repairContext(f);
      const runs = [];
      for (const r of refs) runs.push((await repairReference(ctx, r, { batchSize: 1 })).run!);
      assert.notEqual(await f.checksum([...users]), before, 'the repair changed documents');

      for (const run of runs) {
        const undone = await undoRepairRun(ctx, { run, batchSize: 1 });
        assert.equal(undone.status, 'done');
        assert.equal(undone.counts.conflict + undone.counts.failed, 0, JSON.stringify(undone.items));
      }
      assert.equal(await f.checksum([...users]), before, 'byte for byte as before the repair');
      for (const r of refs)
        assert.ok(
          (await incidentsOf(f, r.name)).every((i) => i.status === 'open'),
          `${r.name}: incidents open again`,
        );
      assert.equal((await auditRecords(f, 'refs.repair.undo')).length, 3);
      assert.equal((await auditRecords(f, 'refs.repair.undone')).length, 2);
      const verified = await f.tl.ledger.audit.verify();
      assert.equal(verified.ok, true);

      // A second undo finds every image put back already and writes nothing.
      const again = await undoRepairRun(ctx, { run: runs[0]! });
      assert.deepEqual(statuses(again), { p2: 'undone-before', p3: 'undone-before' });
      assert.equal(await f.checksum([...users]), before);
      assert.equal((await auditRecords(f, 'refs.repair.undo')).length, 3, 'nothing audited as written');
    });

    test('rehydrate and delete-dependent runs undone: inserted targets deleted, deleted documents back', async () => {
      const f = await fresh();
      const before = await f.checksum([...users]);
      const ctx = repairContext(f, { approvers, approvalPolicies });

      const rehydrate = reference('profiles.accountId', 'rehydrate');
      await scanInto(f, rehydrate);
      const copied = await repairReference(ctx, rehydrate);
      assert.equal(copied.counts.done, 1);
      assert.ok(await f.get('accounts', 'a3'));
      const undoCopy = await undoRepairRun(ctx, { run: copied.run! });
      assert.deepEqual(statuses(undoCopy), { p2: 'restored' });
      assert.equal(await f.get('accounts', 'a3'), undefined, 'the rehydrated target is gone again');
      assert.equal(await f.checksum([...users]), before);

      const deletes = reference('profiles.accountId', 'delete-dependent');
      await scanInto(f, deletes);
      const plan = (await repairReference(ctx, deletes, { dryRun: true })).plan!.hash;
      await recordApproval(f.tl.ledger, approval(plan), new Date().toISOString());
      const deleted = await repairReference(ctx, deletes);
      assert.equal(deleted.counts.done, 2);
      assert.equal(await f.get('profiles', 'p2'), undefined);
      const undoDelete = await undoRepairRun(ctx, { run: deleted.run! });
      assert.deepEqual(statuses(undoDelete), { p2: 'restored', p3: 'restored' });
      assert.equal(await f.checksum([...users]), before, 'the deleted documents are back, exactly');
    });

    test('a document changed since the repair is a conflict, left alone; --force puts it back', async () => {
      const f = await fresh();
      const ref = reference('profiles.accountId', 'nullify');
      await scanInto(f, ref);
      const ctx = repairContext(f);
      const { run } = await repairReference(ctx, ref);
      await f.collection('profiles').write([{ type: 'patch', key: 'p2', set: { name: 'Bo (renamed)' } }]);
      const dry = await undoRepairRun(ctx, { run: run!, dryRun: true });
      assert.deepEqual(statuses(dry), { p2: 'conflict', p3: 'planned' });
      assert.equal((await f.get('profiles', 'p3'))?.accountId, null, 'a dry run writes nothing');

      const undone = await undoRepairRun(ctx, { run: run! });
      assert.deepEqual(statuses(undone), { p2: 'conflict', p3: 'restored' });
      assert.match(undone.items.find((i) => i.key === 'p2')?.note ?? '', /changed since the repair/);
      const p2 = await f.get('profiles', 'p2');
      assert.deepEqual([p2?.name, p2?.accountId], ['Bo (renamed)', null], 'the later change is kept');
      assert.equal((await f.get('profiles', 'p3'))?.accountId, 'a9');

      const forced = await undoRepairRun(ctx, { run: run!, force: true });
      assert.deepEqual(statuses(forced), { p2: 'forced', p3: 'undone-before' });
      const p2Now = await f.get('profiles', 'p2');
      assert.deepEqual([p2Now?.name, p2Now?.accountId], ['Bo', 'a3']);
    });

    test('an aborted undo stops at a batch boundary, checkpointed; the next call finishes it', async () => {
      const f = await fresh();
      const ref = reference('profiles.accountId', 'tombstone', { required: true });
      await scanInto(f, ref);
      const before = await f.checksum([...users]);
      const ctx = repairContext(f);
      const { run } = await repairReference(ctx, ref);
      const abort = new AbortController();
      const paused = await undoRepairRun(ctx, {
        run: run!,
        batchSize: 1,
        signal: abort.signal,
        onBatch: () => abort.abort(),
      });
      assert.equal(paused.status, 'paused');
      assert.equal(paused.counts.restored, 1);
      const resumed = await undoRepairRun(ctx, { run: run!, batchSize: 1 });
      assert.equal(resumed.status, 'done');
      assert.equal(resumed.resumed, true);
      assert.equal(resumed.undo, paused.undo, 'the same undo, continued');
      assert.equal(resumed.counts.restored, 3, 'the counts cover both calls');
      assert.equal(await f.checksum([...users]), before);
    });

    test('undoing an old run never touches what a later run did; an unknown run is refused', async () => {
      const f = await fresh();
      const ref = reference('profiles.accountId', 'nullify');
      await scanInto(f, ref);
      const ctx = repairContext(f);
      const first = await repairReference(ctx, ref);
      await undoRepairRun(ctx, { run: first.run! });
      const second = await repairReference(ctx, ref);
      assert.equal(second.counts.done, 2, 'the reopened incidents are repaired again, by a new run');
      assert.notEqual(second.run, first.run);
      const after = await f.checksum([...users]);
      const old = await undoRepairRun(ctx, { run: first.run! });
      assert.deepEqual(statuses(old), { p2: 'undone-before', p3: 'undone-before' });
      assert.equal(await f.checksum([...users]), after);

      await assert.rejects(undoRepairRun(ctx, { run: 'rr-nope' }), (error) => {
        assert.ok(isStewardError(error, 'input.invalid'));
        assert.match(error.message, /no before-image of repair run "rr-nope"/);
        return true;
      });
    });
  });
}
