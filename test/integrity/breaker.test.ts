/**
 * The circuit breaker of `refs repair`: the verdict from figures (pure), then on every selected
 * store with real scans: a reference whose every document looks orphaned (its target is the wrong
 * collection) is refused whole, nothing written, dry run included; `forceBreaker` without an
 * approval is refused too; with a signed approval of the plan it goes through and the incidents
 * carry the plan; a jump against the previous scan trips it while the rate is under the limit.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { generateApproverKeys, parsePrivateKey, signApproval } from '../../src/approvals/approval-keys.js';
import { recordApproval } from '../../src/approvals/approval-ledger.js';
import type { Approver } from '../../src/approvals/approval-policy.js';
import { defaultBreaker } from '../../src/integrity/breaker/breaker-settings.js';
import { breakerVerdict, scanTotals } from '../../src/integrity/breaker/breaker-verdict.js';
import type { ResolvedReference } from '../../src/integrity/reference.js';
import { renderRepairReport } from '../../src/integrity/repair/render-repair-report.js';
import { repairReferences } from '../../src/integrity/repair/repair-references.js';
import type { ScanFigures } from '../../src/integrity/scan/scan-figures.js';
import { scanReference } from '../../src/integrity/scan/scan-reference.js';
import { listIncidents } from '../../src/ledger/incidents.js';
import { selectedKinds } from '../support/test-stores.js';
import { type Fixture, openFixture, repairContext } from './integrity-fixture.js';

const figure = (index: number, total: number, scanned: number, orphans: number, at: string): ScanFigures => ({
  reference: 'r.f',
  scanId: `s-${index}-${at}`,
  segment: { index, total },
  scanned,
  orphans,
  completedAt: at,
});

describe('breaker verdict (pure)', () => {
  test('the latest scan sums the newest figures of each segment of the latest segmentation', () => {
    const figures = [
      figure(0, 1, 999, 999, '2026-01-01'),
      figure(0, 2, 100, 1, '2026-01-02'),
      figure(1, 2, 100, 1, '2026-01-03'),
      figure(0, 2, 100, 10, '2026-01-04'),
      figure(1, 2, 110, 12, '2026-01-05'),
    ];
    const { latest, previous } = scanTotals(figures);
    assert.deepEqual(latest, { scanned: 210, orphans: 22, completedAt: '2026-01-05', segments: 2 });
    assert.deepEqual(previous, { scanned: 200, orphans: 2, completedAt: '2026-01-03', segments: 2 });
    assert.deepEqual(scanTotals([]), {});
  });

  test('trips above the rate, not below the floor of orphans; a jump trips under the rate', () => {
    const at = (open: number, scanned: number) =>
      breakerVerdict({
        reference: 'r.f',
        open,
        latest: { scanned, orphans: open, completedAt: 'x', segments: 1 },
        settings: defaultBreaker,
      });
    assert.equal(at(197, 197).tripped, true);
    assert.match(
      at(197, 197).reasons[0]!,
      /^197 open orphans of 197 documents scanned is 100\.0%, above the breaker's 5\.0%/,
    );
    assert.equal(at(18, 8000).tripped, false, 'a deleted case with its 18 tasks is a normal repair');
    assert.equal(at(9, 9).tripped, false, 'below minOrphans, whatever the rate');
    const jump = breakerVerdict({
      reference: 'r.f',
      open: 40,
      latest: { scanned: 1000, orphans: 40, completedAt: 'b', segments: 1 },
      previous: { scanned: 1000, orphans: 5, completedAt: 'a', segments: 1 },
      settings: defaultBreaker,
    });
    assert.equal(jump.tripped, true, '4.0% is under 5%, but 8x the 0.5% of the scan before');
    assert.match(jump.reasons[0]!, /jumped from 0\.5% \(5 of 1,000, scan of a\) to 4\.0% \(40 of 1,000/);
    const noScan = breakerVerdict({ reference: 'r.f', open: 50, counted: 60, settings: defaultBreaker });
    assert.equal(noScan.basis, 'count');
    assert.match(noScan.reasons[0]!, /estimated count: no scan recorded/);
  });
});

const alice = generateApproverKeys();
const approvers = new Map<string, Approver>([
  ['alice', { name: 'alice', publicKeyPem: alice.publicKeyPem, roles: ['owner'], owns: [] }],
]);

function breakerApproval(subject: string) {
  const now = Date.now();
  return signApproval(
    {
      subject,
      subjectKind: 'refs.breaker',
      approver: 'alice',
      role: 'owner',
      signedAt: new Date(now - 60_000).toISOString(),
      expiresAt: new Date(now + 3_600_000).toISOString(),
    },
    parsePrivateKey(alice.privateKeyPem, 'test'),
  );
}

/** profiles.accountId: 30 profiles pointing at accounts a00..a29, all of which exist. */
async function world(kind: Parameters<typeof openFixture>[0]): Promise<Fixture> {
  const f = await openFixture(kind);
  const keys = Array.from({ length: 30 }, (_, n) => String(n).padStart(2, '0'));
  await f.seed(
    'accounts',
    keys.map((k) => ({ key: `a${k}` })),
  );
  await f.seed(
    'profiles',
    keys.map((k) => ({ key: `p${k}`, accountId: `a${k}` })),
  );
  return f;
}

async function scan(f: Fixture, reference: ResolvedReference): Promise<void> {
  await scanReference({
    reference,
    source: f.collection('profiles'),
    target: f.collection(reference.target),
    ledger: f.tl.ledger,
    holder: 'test-scan',
  });
}

for (const kind of selectedKinds()) {
  describe(`refs repair circuit breaker on ${kind}`, () => {
    const opened: Fixture[] = [];
    after(async () => {
      for (const f of opened) await f.cleanup();
    });

    test('every reference orphaned (a wrong target): refused whole, nothing written, until approved and forced', async () => {
      const f = await world(kind);
      opened.push(f);
      // A typo in the target: the references hold account keys, the archive holds none of them.
      const wrong: ResolvedReference = {
        name: 'profiles.accountId',
        collection: 'profiles',
        field: 'accountId',
        target: 'archive',
        owner: 'unowned',
        onMissing: 'nullify',
        required: false,
      };
      await scan(f, wrong);
      const before = await f.checksum();
      const ctx = repairContext(f, { approvers });

      for (const dryRun of [true, false]) {
        const refused = await repairReferences(ctx, [wrong], { dryRun });
        assert.equal(refused.refusedByBreaker, true);
        assert.equal(refused.references.length, 0);
        const [check] = refused.breaker!;
        assert.equal(check?.verdict.rate, 1);
        assert.match(check!.verdict.reasons[0]!, /^30 open orphans of 30 documents scanned is 100\.0%/);
        assert.match(
          renderRepairReport(refused).join('\n'),
          /refused by the circuit breaker[\s\S]*--kind refs\.breaker[\s\S]*--force-breaker/,
        );
      }
      assert.equal(await f.checksum(), before, 'nothing written, not even a ledger record');

      const unapproved = await repairReferences(ctx, [wrong], { forceBreaker: true });
      assert.equal(unapproved.refusedByBreaker, true, '--force-breaker alone is not enough');
      const plan = unapproved.breaker![0]!.plan!;
      assert.equal(plan.approval.ok, false);
      assert.equal(plan.incidents, 30);

      await recordApproval(f.tl.ledger, breakerApproval(plan.hash), new Date().toISOString());
      assert.equal(
        (await repairReferences(ctx, [wrong])).refusedByBreaker,
        true,
        'an approval alone is not enough either: the run must ask to force',
      );
      const forced = await repairReferences(ctx, [wrong], { forceBreaker: true, batchSize: 7 });
      assert.equal(forced.refusedByBreaker, undefined);
      assert.equal(forced.breaker?.[0]?.overridden, true);
      assert.equal(forced.counts.done, 30);
      for await (const i of listIncidents(f.incidents(), { subject: wrong.name }))
        assert.equal(i.resolution?.breakerPlan, plan.hash);
    });

    test('a jump against the previous scan trips it while the rate is under the limit', async () => {
      const f = await world(kind);
      opened.push(f);
      const ref: ResolvedReference = {
        name: 'profiles.accountId',
        collection: 'profiles',
        field: 'accountId',
        target: 'accounts',
        owner: 'unowned',
        onMissing: 'nullify',
        required: false,
        breaker: { ...defaultBreaker, maxOrphanRate: 0.5, minOrphans: 2, minJumpRise: 0.05 },
      };
      await f.collection('accounts').write([{ type: 'delete', key: 'a00' }]);
      await scan(f, ref);
      const ctx = repairContext(f);
      const first = await repairReferences(ctx, [ref], { dryRun: true });
      assert.equal(first.refusedByBreaker, undefined, '1 of 30 (3.3%) is fine');
      await f
        .collection('accounts')
        .write(
          ['a01', 'a02', 'a03', 'a04', 'a05', 'a06', 'a07'].map((key) => ({ type: 'delete' as const, key })),
        );
      await scan(f, ref);
      const second = await repairReferences(ctx, [ref]);
      assert.equal(second.refusedByBreaker, true);
      const reasons = second.breaker![0]!.verdict.reasons;
      assert.equal(reasons.length, 1, '8 of 30 (26.7%) is under the 50% limit...');
      assert.match(reasons[0]!, /jumped from 3\.3% \(1 of 30, .*\) to 26\.7% \(8 of 30/);
    });
  });
}
