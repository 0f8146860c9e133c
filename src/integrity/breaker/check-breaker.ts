import { listApprovals } from '../../approvals/approval-ledger.js';
import { policyFor } from '../../approvals/approval-policy.js';
import { type ApprovalVerification, verifyApprovals } from '../../approvals/verify-approvals.js';
import { parseFilter } from '../../core/filter.js';
import { hashJson } from '../../core/hash.js';
import { listIncidents } from '../../ledger/incidents.js';
import type { Collection } from '../../stores/store.js';
import type { ResolvedReference } from '../reference.js';
import { closedByPlan } from '../repair/delete-approval.js';
import { repairableKinds } from '../repair/repair-action.js';
import type { RepairContext } from '../repair/repair-context.js';
import { currentPlanHash } from '../repair/repair-plan-hash.js';
import { readScanFigures } from '../scan/scan-figures.js';
import { defaultBreaker } from './breaker-settings.js';
import { type BreakerVerdict, breakerVerdict, scanTotals } from './breaker-verdict.js';

/** The approval kind that lets a repair through a tripped breaker; the `approvalPolicies` key for it. */
export const breakerApprovalKind = 'refs.breaker';

/** The breaker's verdict on one reference and, when it tripped, the override plan and its approvals. */
export interface BreakerCheck {
  readonly verdict: BreakerVerdict;
  /** For a tripped breaker: the plan an approval must sign, and what the stored approvals amount to. */
  readonly plan?: {
    readonly hash: string;
    readonly incidents: number;
    readonly approval: ApprovalVerification;
  };
  /** Tripped, and let through: asked to (`forceBreaker`) and the plan's approvals are valid. */
  readonly overridden: boolean;
}

/**
 * The plan an override of the breaker signs: the reference (name, field, target, policy) and the
 * sorted ids of the open incidents the repair would act on. Another orphan found, or a policy
 * changed, is another plan. Pure.
 */
export function breakerPlanHash(reference: ResolvedReference, incidentIds: readonly string[]): string {
  return hashJson({
    kind: breakerApprovalKind,
    reference: reference.name,
    collection: reference.collection,
    field: reference.field,
    target: reference.target,
    onMissing: reference.onMissing,
    incidents: [...new Set(incidentIds)].sort(),
  });
}

/**
 * Checks the circuit breaker of a reference before its repair (see `breaker-verdict.ts`): counts
 * its open orphan incidents, reads the figures of its latest scans (or, with none recorded,
 * counts the source), and when it trips works out the override plan and checks its approvals
 * against the `refs.breaker` policy, with the reference's owner as owner. Reads only. Undefined
 * for a `flag` reference, whose repair writes nothing.
 */
export async function checkBreaker(
  ctx: RepairContext,
  reference: ResolvedReference,
  incidents: Collection,
  forceBreaker: boolean,
): Promise<BreakerCheck | undefined> {
  if (reference.onMissing === 'flag') return undefined;
  const settings = reference.breaker ?? defaultBreaker;
  const where = parseFilter({ subject: reference.name, status: 'open', kind: { $in: [...repairableKinds] } });
  const open = await incidents.count({ filter: where });
  if (open < settings.minOrphans)
    return { verdict: breakerVerdict({ reference: reference.name, open, settings }), overridden: false };
  const { latest, previous } = scanTotals(await readScanFigures(ctx.ledger, reference.name));
  const counted = latest ? undefined : await countSource(ctx, reference, open);
  const verdict = breakerVerdict({
    reference: reference.name,
    open,
    settings,
    ...(latest ? { latest } : {}),
    ...(previous ? { previous } : {}),
    ...(counted === undefined ? {} : { counted }),
  });
  if (!verdict.tripped) return { verdict, overridden: false };
  const plan = await overridePlan(ctx, reference, incidents);
  return { verdict, plan, overridden: forceBreaker && plan.approval.ok };
}

/** The source's size when no scan is recorded: an estimate, or an exact count when the estimate is below the orphans. */
async function countSource(ctx: RepairContext, reference: ResolvedReference, open: number): Promise<number> {
  const source = ctx.collection(reference.collection);
  const estimate = await source.count({ estimate: true });
  return estimate >= open ? estimate : source.count();
}

async function overridePlan(
  ctx: RepairContext,
  reference: ResolvedReference,
  incidents: Collection,
): Promise<NonNullable<BreakerCheck['plan']>> {
  const ids: string[] = [];
  for await (const incident of listIncidents(incidents, { subject: reference.name, status: 'open' }))
    if (repairableKinds.includes(incident.kind)) ids.push(incident.id);
  const closed = await closedByPlan(incidents, reference, 'breakerPlan');
  const { hash, resumed } = currentPlanHash(reference, ids, closed, breakerPlanHash);
  const approval = verifyApprovals({
    subject: hash,
    subjectKind: breakerApprovalKind,
    approvals: await listApprovals(ctx.ledger, { subject: hash }),
    policy: policyFor(ctx.approvalPolicies, breakerApprovalKind),
    approvers: ctx.approvers,
    now: ctx.clock ? ctx.clock() : Date.now(),
    ...(reference.owner === 'unowned' ? {} : { owner: reference.owner }),
  });
  return { hash, incidents: ids.length + resumed, approval };
}
