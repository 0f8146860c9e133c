/**
 * `refs repair` on every selected store: each onMissing policy's effect, idempotence (a second
 * run changes nothing), before-images and audit records, the approval gate of delete-dependent,
 * dry runs, documents changed since the scan, and runs that stopped between write and close.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import type { Approval } from '../../src/approvals/approval.js';
import { generateApproverKeys, parsePrivateKey, signApproval } from '../../src/approvals/approval-keys.js';
import { recordApproval } from '../../src/approvals/approval-ledger.js';
import type { Approver } from '../../src/approvals/approval-policy.js';
import type { JsonObject } from '../../src/core/json.js';
import type { ResolvedReference } from '../../src/integrity/reference.js';
import { beforeImageId, saveBeforeImages } from '../../src/integrity/repair/before-images.js';
import { repairReference } from '../../src/integrity/repair/repair-reference.js';
import { repairReferences } from '../../src/integrity/repair/repair-references.js';
import type { ReferenceRepair, RepairItem } from '../../src/integrity/repair/repair-result.js';
import { repairJobName, startRepairRun } from '../../src/integrity/repair/repair-run.js';
import { repairWriteBatch } from '../../src/integrity/repair/write-batch.js';
import type { AuditRecord } from '../../src/ledger/audit-chain.js';
import { type Incident, incidentId, listIncidents } from '../../src/ledger/incidents.js';
import type { IntegrityEvent } from '../../src/signals/integrity-event.js';
import { keyId } from '../../src/stores/store.js';
import { selectedKinds } from '../support/test-stores.js';
import { type Fixture, reference, repairContext, scanInto, seededWorlds } from './integrity-fixture.js';

const keys = { alice: generateApproverKeys(), mallory: generateApproverKeys() };
const approvers = new Map<string, Approver>([
  ['alice', { name: 'alice', publicKeyPem: keys.alice.publicKeyPem, roles: ['owner'], owns: [] }],
]);
const approvalPolicies = new Map([['refs.delete-dependent', { required: 1, roles: ['owner'] }]]);
const hour = 3_600_000;

function approval(subject: string, more: { signer?: 'alice' | 'mallory'; offsetMs?: number } = {}): Approval {
  const at = Date.now() + (more.offsetMs ?? 0);
  return signApproval(
    {
      subject,
      subjectKind: 'refs.delete-dependent',
      approver: 'alice',
      role: 'owner',
      signedAt: new Date(at - hour).toISOString(),
      expiresAt: new Date(at + hour).toISOString(),
    },
    parsePrivateKey(keys[more.signer ?? 'alice'].privateKeyPem, 'test'),
  );
}

const byKey = (items: readonly RepairItem[]) =>
  Object.fromEntries(items.map((i) => [String(i.key), `${i.status}${i.note ? `: ${i.note}` : ''}`]));

async function incidentsOf(f: Fixture, subject: string): Promise<Incident[]> {
  const out: Incident[] = [];
  for await (const i of listIncidents(f.incidents(), { subject })) out.push(i);
  return out.sort((a, b) => String(a.key).localeCompare(String(b.key)));
}

async function auditRecords(f: Fixture, action?: string): Promise<AuditRecord[]> {
  const out: AuditRecord[] = [];
  for await (const r of f.tl.ledger.audit.records()) if (!action || r.action === action) out.push(r);
  return out;
}

async function auditVerifies(f: Fixture): Promise<void> {
  const result = await f.tl.ledger.audit.verify();
  assert.deepEqual(result.problems, []);
  assert.equal(result.ok, true);
}

for (const kind of selectedKinds()) {
  describe(`refs repair on ${kind}`, () => {
    const fresh = seededWorlds(kind, after);

    test('nullify: a scalar becomes null, an array loses only its missing keys; a second run changes nothing', async () => {
      const f = await fresh();
      const refs = [reference('profiles.accountId', 'nullify'), reference('cases.subjectIds', 'nullify')];
      for (const r of refs) await scanInto(f, r);
      const events: IntegrityEvent[] = [];
      const ctx = repairContext(f, { onEvent: (e) => events.push(e) });
      const report = await repairReferences(ctx, refs, { batchSize: 2 });
      assert.deepEqual(byKey(report.references[0]!.items), { p2: 'done', p3: 'done' });
      assert.match(
        byKey(report.references[1]!.items).c1!,
        /^done: array reference: written without an expectation/,
      );
      assert.equal((await f.get('profiles', 'p2'))?.accountId, null);
      assert.equal((await f.get('profiles', 'p3'))?.accountId, null);
      assert.equal((await f.get('profiles', 'p1'))?.accountId, 'a1');
      assert.deepEqual((await f.get('cases', 'c1'))?.subjectIds, ['s1', 's2']);
      assert.deepEqual((await f.get('cases', 'c2'))?.subjectIds, ['s1']);

      for (const r of refs) {
        for (const i of await incidentsOf(f, r.name)) {
          assert.equal(i.status, 'closed');
          assert.equal(i.resolution?.action, 'nullify');
          assert.equal(i.resolution?.by, 'test-repair');
        }
      }
      const backups = f.collection(f.tl.ledger.namespace.backups.name);
      const run = report.references[0]!.run!;
      assert.match(run, /^rr-/);
      const images = await backups.getMany(
        ['p2', 'p3'].map((k) => beforeImageId(incidentId('profiles.accountId', k), 'nullify', run)),
      );
      assert.equal(images.size, 2);
      const p2Image = images.get(
        keyId(beforeImageId(incidentId('profiles.accountId', 'p2'), 'nullify', run)),
      );
      assert.equal(
        (p2Image?.doc as JsonObject).accountId,
        'a3',
        'the before-image holds the document as it was',
      );
      const audited = await auditRecords(f, 'refs.repair.nullify');
      assert.equal(audited.length, 3);
      const c1 = audited.find((r) => r.details.key === 'c1');
      assert.deepEqual(c1?.details.change, {
        type: 'set',
        path: 'subjectIds',
        before: ['s1', 's9', 's2', 's8'],
        after: ['s1', 's2'],
      });
      await auditVerifies(f);
      assert.deepEqual(
        events.map((e) => e.type),
        ['nullified', 'nullified', 'repaired', 'nullified', 'repaired'],
      );

      const before = await f.checksum();
      const again = await repairReferences(ctx, refs);
      assert.equal(again.references.flatMap((r) => r.items).length, 0, 'no open incidents left');
      assert.equal(await f.checksum(), before);
    });

    test('tombstone marks the document for review and keeps the reference; rescans and reruns change nothing', async () => {
      const f = await fresh();
      const ref = reference('profiles.accountId', 'tombstone', { required: true });
      assert.equal(await scanInto(f, ref), 3, 'p2 and p3 orphaned, p4 missing its required account');
      const ctx = repairContext(f);
      const first = await repairReference(ctx, ref);
      assert.deepEqual(byKey(first.items), { p2: 'done', p3: 'done', p4: 'done' });
      const p3 = await f.get('profiles', 'p3');
      assert.equal(p3?.accountId, 'a9', 'the reference is kept');
      const mark = (p3?._steward as JsonObject).tombstones as JsonObject;
      assert.deepEqual(Object.keys(mark), ['accountId']);
      assert.deepEqual((mark.accountId as JsonObject).missingKeys, ['a9']);
      assert.equal((mark.accountId as JsonObject).incident, incidentId(ref.name, 'p3'));
      const p4 = await f.get('profiles', 'p4');
      assert.equal(
        (((p4?._steward as JsonObject).tombstones as JsonObject).accountId as JsonObject).kind,
        'missing-required',
      );
      assert.equal((await f.get('profiles', 'p1'))?._steward, undefined);
      assert.equal((await auditRecords(f, 'refs.repair.tombstone')).length, 3);

      const users = await f.checksum(['profiles', 'accounts']);
      assert.equal((await repairReference(ctx, ref)).items.length, 0);
      // The tombstoned references still point at nothing: a rescan reopens their incidents, and
      // repair finds its tombstones already there and closes them again without writing.
      await scanInto(f, ref);
      const third = await repairReference(ctx, ref);
      assert.deepEqual(
        Object.values(byKey(third.items)),
        Array(3).fill(
          'done: the tombstone is already there (an earlier run stopped before closing the incident)',
        ),
      );
      assert.equal(await f.checksum(['profiles', 'accounts']), users);
      await auditVerifies(f);
    });

    test('rehydrate copies missing targets from rehydrateFrom; one found nowhere stays open with a note', async () => {
      const f = await fresh();
      const ref = reference('profiles.accountId', 'rehydrate');
      await scanInto(f, ref);
      const ctx = repairContext(f);
      const report = await repairReference(ctx, ref);
      assert.deepEqual(byKey(report.items), {
        p2: 'done',
        p3: 'skipped: not in "archive" either: "a9"; left open',
      });
      const a3 = await f.get('accounts', 'a3');
      assert.equal(a3?.status, 'closed');
      assert.equal(a3?.archived, true);
      assert.equal(a3?.[f.specs.accounts.keyField], 'a3');
      const [p2, p3] = await incidentsOf(f, ref.name);
      assert.equal(p2?.status, 'closed');
      assert.deepEqual(p2?.resolution?.inserts, ['a3']);
      assert.equal(p3?.status, 'open');
      assert.match(String((p3 as unknown as JsonObject).repairNote), /not in "archive"/);
      const image = (
        await f
          .collection(f.tl.ledger.namespace.backups.name)
          .getMany([beforeImageId(p2!.id, 'rehydrate', report.run!)])
      )
        .values()
        .next().value;
      assert.equal(image?.doc, null, 'the before-image of an insert: there was no document');
      assert.equal((await auditRecords(f, 'refs.repair.rehydrate')).length, 1);

      const users = await f.checksum(['profiles', 'accounts', 'archive']);
      const again = await repairReference(ctx, ref);
      assert.deepEqual(Object.keys(byKey(again.items)), ['p3']);
      assert.equal(await f.checksum(['profiles', 'accounts', 'archive']), users);
      await auditVerifies(f);
    });

    test('delete-dependent is refused without approval, with a wrong, expired or forged one, and done with a valid one', async () => {
      const f = await fresh();
      const ref = reference('profiles.accountId', 'delete-dependent');
      await scanInto(f, ref);
      const ctx = repairContext(f, { approvers, approvalPolicies });
      const untouched = await f.checksum(['profiles']);
      const refused = async (expected: string): Promise<ReferenceRepair> => {
        const result = await repairReference(ctx, ref);
        assert.deepEqual(
          Object.values(byKey(result.items)).map((s) => s.split(':')[0]),
          ['refused', 'refused'],
        );
        assert.ok(result.plan && !result.plan.approval.ok);
        assert.ok(
          result.plan.approval.problems.some((p) => p.code === expected),
          JSON.stringify(result.plan.approval.problems),
        );
        assert.equal(await f.checksum(['profiles']), untouched, 'nothing deleted');
        return result;
      };
      const plan = (await refused('quorum')).plan!.hash;
      await recordApproval(f.tl.ledger, approval('f'.repeat(64)), new Date().toISOString());
      await refused('quorum');
      await recordApproval(f.tl.ledger, approval(plan, { offsetMs: -3 * hour }), new Date().toISOString());
      await refused('expired');
      await recordApproval(f.tl.ledger, approval(plan, { signer: 'mallory' }), new Date().toISOString());
      await refused('bad-signature');

      await recordApproval(f.tl.ledger, approval(plan), new Date().toISOString());
      const done = await repairReference(ctx, ref);
      assert.deepEqual(byKey(done.items), { p2: 'done', p3: 'done' });
      assert.equal(done.plan?.hash, plan);
      assert.equal(await f.get('profiles', 'p2'), undefined);
      assert.equal(await f.get('profiles', 'p3'), undefined);
      assert.ok(await f.get('profiles', 'p1'));
      const image = (
        await f
          .collection(f.tl.ledger.namespace.backups.name)
          .getMany([beforeImageId(incidentId(ref.name, 'p3'), 'delete', done.run!)])
      )
        .values()
        .next().value;
      assert.equal((image?.doc as JsonObject).name, 'Cy', 'the deleted document is kept as its before-image');
      const audited = await auditRecords(f, 'refs.repair.delete');
      assert.equal(audited.length, 2);
      assert.equal(audited[0]?.details.plan, plan);
      assert.deepEqual(audited[0]?.details.approvedBy, ['alice']);
      for (const i of await incidentsOf(f, ref.name)) assert.equal(i.resolution?.plan, plan);

      const before = await f.checksum();
      assert.equal((await repairReference(ctx, ref)).items.length, 0);
      assert.equal(await f.checksum(), before);
      await auditVerifies(f);
    });

    test('an approval covers its exact plan: one more orphan needs a new one; an interrupted plan resumes under it', async () => {
      const f = await fresh();
      const ref = reference('profiles.accountId', 'delete-dependent');
      await scanInto(f, ref);
      const ctx = repairContext(f, { approvers, approvalPolicies });
      const plan = (await repairReference(ctx, ref, { dryRun: true })).plan!.hash;
      await recordApproval(f.tl.ledger, approval(plan), new Date().toISOString());

      await f.seed('profiles', [{ key: 'p5', accountId: 'a7', name: 'Ed' }]);
      await scanInto(f, ref);
      const wider = await repairReference(ctx, ref);
      assert.notEqual(wider.plan?.hash, plan);
      assert.equal(wider.counts.refused, 3);
      await f.collection('profiles').write([{ type: 'delete', key: 'p5' }]);
      await scanInto(f, ref);
      const [p2, p3, p5] = await incidentsOf(f, ref.name);
      assert.equal(p5?.status, 'closed', 'the scan closed p5 as gone');

      // A run that was killed keeps its id in its checkpoint; it had deleted p2 and not closed
      // the incident yet...
      const lease = await f.tl.ledger.acquireLease({
        name: repairJobName(ref.name),
        holder: 'killed',
        ttlMs: 60_000,
      });
      const killed = await startRepairRun(f.tl.ledger, ref.name, lease);
      await lease.release();
      await saveBeforeImages(f.collection(f.tl.ledger.namespace.backups.name), [
        {
          repairRun: killed.id,
          incident: p2!.id,
          action: 'delete',
          reference: ref.name,
          collection: 'profiles',
          key: 'p2',
          doc: (await f.get('profiles', 'p2'))!,
          savedAt: new Date().toISOString(),
        },
      ]);
      await f
        .collection('profiles')
        .write([{ type: 'delete', key: 'p2', expect: { field: 'accountId', value: 'a3' } }]);
      // ...and a run that closed p3's incident before stopping.
      const scope = {
        reference: ref,
        action: 'delete' as const,
        incidents: f.incidents(),
        run: killed.id,
        plan: { hash: plan, approvedBy: ['alice'] },
      };
      assert.deepEqual(byKey(await repairWriteBatch(ctx, scope, [p3!], {})), { p3: 'done' });

      const resumed = await repairReference(ctx, ref);
      assert.equal(resumed.run, killed.id, 'the next repair continues the killed run');
      assert.equal(resumed.resumed, true);
      assert.equal(resumed.plan?.hash, plan, 'open plus closed-under-the-plan hash to the approved plan');
      assert.equal(resumed.plan?.incidents, 2);
      assert.deepEqual(byKey(resumed.items), {
        p2: 'done: already deleted: an earlier run stopped before closing the incident',
      });
      const closed = await incidentsOf(f, ref.name);
      assert.deepEqual(
        closed.map((i) => i.status),
        ['closed', 'closed', 'closed'],
      );
      await auditVerifies(f);
    });

    test('flag and type mismatches change nothing; incidents stay open', async () => {
      const f = await fresh();
      const flagged = reference('profiles.accountId', 'flag');
      await scanInto(f, flagged);
      const nullified = reference('cases.subjectIds', 'nullify');
      const { recordFindings } = await import('../../src/ledger/incidents.js');
      await recordFindings(
        f.incidents(),
        [
          {
            kind: 'type-mismatch',
            subject: nullified.name,
            collection: 'cases',
            key: 'c2',
            field: 'subjectIds',
            detail: { target: 'subjects', mismatched: [{ value: 1, reason: 'key-type', matches: '1' }] },
          },
        ],
        'manual',
        new Date().toISOString(),
      );
      const before = await f.checksum(['profiles', 'cases']);
      const report = await repairReferences(repairContext(f), [flagged, nullified]);
      assert.deepEqual(
        Object.values(byKey(report.references[0]!.items)).map((s) => s.split(':')[0]),
        ['flagged', 'flagged'],
      );
      assert.match(byKey(report.references[1]!.items).c2!, /^reported: not repaired automatically/);
      assert.equal(await f.checksum(['profiles', 'cases']), before);
      assert.ok((await incidentsOf(f, flagged.name)).every((i) => i.status === 'open'));
      assert.ok((await incidentsOf(f, nullified.name)).every((i) => i.status === 'open'));
    });

    test('a dry run reports what each policy would do and writes nothing', async () => {
      const f = await fresh();
      const refs: ResolvedReference[] = [
        reference('profiles.accountId', 'rehydrate'),
        reference('cases.subjectIds', 'tombstone'),
      ];
      for (const r of refs) await scanInto(f, r);
      const deletes = { ...reference('profiles.accountId', 'delete-dependent'), name: 'profiles.accountId' };
      const before = await f.checksum();
      const auditBefore = (await auditRecords(f)).length;
      const report = await repairReferences(repairContext(f, { approvers, approvalPolicies }), refs, {
        dryRun: true,
      });
      assert.equal(report.dryRun, true);
      assert.deepEqual(byKey(report.references[0]!.items), {
        p2: 'planned',
        p3: 'skipped: not in "archive" either: "a9"; left open',
      });
      assert.deepEqual(report.references[0]!.items.find((i) => i.key === 'p2')?.change, {
        type: 'insert',
        keys: ['a3'],
      });
      const c1 = report.references[1]!.items[0]!;
      assert.equal(c1.status, 'planned');
      assert.equal(c1.change?.type, 'set');
      assert.equal(c1.change?.type === 'set' && c1.change.path, '_steward.tombstones.subjectIds');
      assert.deepEqual(c1.change?.type === 'set' && (c1.change.after as JsonObject).missingKeys, [
        's9',
        's8',
      ]);
      const deletion = await repairReference(repairContext(f, { approvers, approvalPolicies }), deletes, {
        dryRun: true,
      });
      assert.equal(deletion.counts.refused, 2);
      assert.equal(await f.checksum(), before);
      assert.equal((await auditRecords(f)).length, auditBefore);
    });

    test('a document changed since the scan is left alone; a write done before a crash is verified, not redone', async () => {
      const f = await fresh();
      const ref = reference('profiles.accountId', 'nullify');
      await scanInto(f, ref);
      const profiles = f.collection('profiles');
      await profiles.write([
        { type: 'patch', key: 'p2', set: { accountId: 'a2' } },
        // What a run that crashed after its write and before closing the incident left behind.
        { type: 'patch', key: 'p3', set: { accountId: null } },
      ]);
      const docs = await f.checksum(['profiles']);
      const report = await repairReference(repairContext(f), ref);
      assert.match(byKey(report.items).p2!, /^skipped: the reference changed since the scan \(now "a2"\)/);
      assert.equal(
        byKey(report.items).p3,
        'done: the reference is already null (an earlier run stopped before closing the incident)',
      );
      assert.equal(await f.checksum(['profiles']), docs, 'nothing written');
      const [p2, p3] = await incidentsOf(f, ref.name);
      assert.equal(p2?.status, 'open');
      assert.equal(p3?.status, 'closed');
      assert.equal(
        (await auditRecords(f, 'refs.repair.nullify')).length,
        1,
        'the earlier write gets its audit record now',
      );
    });

    test('a target back since the scan is not repaired: the incident is closed with a note, per batch lookup', async () => {
      const f = await fresh();
      const scalar = reference('profiles.accountId', 'nullify');
      const array = reference('cases.subjectIds', 'nullify');
      for (const r of [scalar, array]) await scanInto(f, r);
      // The targets come back after the scan: a3 (p2's account) and s9 (one of c1's subjects).
      await f.seed('accounts', [{ key: 'a3', status: 'restored' }]);
      await f.seed('subjects', [{ key: 's9' }]);
      const report = await repairReferences(repairContext(f), [scalar, array]);
      assert.deepEqual(byKey(report.references[0]!.items), {
        p2: 'back: the target is back ("a3"): nothing written, incident closed',
        p3: 'done',
      });
      assert.equal((await f.get('profiles', 'p2'))?.accountId, 'a3', 'a valid reference is never nulled');
      assert.deepEqual(
        (await f.get('cases', 'c1'))?.subjectIds,
        ['s1', 's9', 's2'],
        'only the key still missing is removed',
      );
      const [p2] = await incidentsOf(f, scalar.name);
      assert.equal(p2?.status, 'closed');
      assert.equal(p2?.resolution?.action, 'target-back');
      const back = await auditRecords(f, 'refs.repair.target-back');
      assert.equal(back.length, 1);
      assert.equal(back[0]?.details.key, 'p2');
      assert.match(String(back[0]?.details.note), /the target is back/);
      assert.equal(report.counts.back, 1);
      await auditVerifies(f);
    });

    test('rehydrate: a target back since the scan is closed as back, nothing copied', async () => {
      const f = await fresh();
      const ref = reference('profiles.accountId', 'rehydrate');
      await scanInto(f, ref);
      await f.seed('accounts', [{ key: 'a3', status: 'restored' }]);
      const report = await repairReference(repairContext(f), ref);
      assert.equal(
        byKey(report.items).p2,
        'back: the target is back ("a3"): nothing written, incident closed',
      );
      assert.equal(
        (await f.get('accounts', 'a3'))?.status,
        'restored',
        'the restored target is not replaced',
      );
      const [p2] = await incidentsOf(f, ref.name);
      assert.equal(p2?.resolution?.action, 'target-back');
      assert.equal((await auditRecords(f, 'refs.repair.target-back')).length, 1);
    });

    test('delete-dependent: a target restored after the approval keeps its dependents', async () => {
      const f = await fresh();
      const ref = reference('profiles.accountId', 'delete-dependent');
      await scanInto(f, ref);
      const ctx = repairContext(f, { approvers, approvalPolicies });
      const plan = (await repairReference(ctx, ref, { dryRun: true })).plan!.hash;
      await recordApproval(f.tl.ledger, approval(plan), new Date().toISOString());
      await f.seed('accounts', [{ key: 'a3', status: 'restored' }]);
      const dry = await repairReference(ctx, ref, { dryRun: true });
      assert.match(byKey(dry.items).p2!, /^back: /, 'a dry run says so too');
      const report = await repairReference(ctx, ref);
      assert.equal(report.plan?.hash, plan);
      assert.deepEqual(
        Object.fromEntries(Object.entries(byKey(report.items)).map(([k, v]) => [k, v.split(':')[0]])),
        {
          p2: 'back',
          p3: 'done',
        },
      );
      assert.ok(await f.get('profiles', 'p2'), 'the dependent of a restored target is kept');
      assert.equal(await f.get('profiles', 'p3'), undefined);
      const [p2, p3] = await incidentsOf(f, ref.name);
      assert.equal(p2?.resolution?.action, 'target-back');
      assert.equal(p2?.resolution?.plan, plan, 'closed under the plan, so an interrupted plan still resumes');
      assert.equal(p3?.resolution?.action, 'delete');
      await auditVerifies(f);
    });

    test('another repair of the same reference holding the lease is reported, not raced', async () => {
      const f = await fresh();
      const ref = reference('profiles.accountId', 'nullify');
      await scanInto(f, ref);
      const lease = await f.tl.ledger.acquireLease({
        name: `refs.repair.${ref.name}`,
        holder: 'other',
        ttlMs: 60_000,
      });
      const report = await repairReference(repairContext(f), ref);
      assert.match(report.error ?? '', /other/);
      assert.equal(report.items.length, 0);
      await lease.release();
      assert.equal((await repairReference(repairContext(f), ref)).counts.done, 2);
    });
  });
}
