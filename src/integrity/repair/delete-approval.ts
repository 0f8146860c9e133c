import { listApprovals } from '../../approvals/approval-ledger.js';
import { policyFor } from '../../approvals/approval-policy.js';
import { type ApprovalVerification, verifyApprovals } from '../../approvals/verify-approvals.js';
import { isJsonObject } from '../../core/json.js';
import { type Incident, listIncidents } from '../../ledger/incidents.js';
import type { Collection } from '../../stores/store.js';
import type { ResolvedReference } from '../reference.js';
import type { RepairContext } from './repair-context.js';
import { currentPlanHash, deleteApprovalKind } from './repair-plan-hash.js';

/** A delete-dependent plan and whether its approvals allow it. */
export interface DeletePlan {
  readonly hash: string;
  /** Incidents in the plan: open now, plus those an interrupted run of it already closed. */
  readonly incidents: number;
  readonly approval: ApprovalVerification;
}

/**
 * Works out the plan of a delete-dependent repair (see `repair-plan-hash.ts`) and checks the
 * approvals stored for it against the `refs.delete-dependent` policy, with the reference's owner
 * as the owner. Reads only.
 */
export async function approveDeletion(
  ctx: RepairContext,
  reference: ResolvedReference,
  incidents: Collection,
  open: readonly Incident[],
): Promise<DeletePlan> {
  const closed = await closedByPlan(incidents, reference, 'plan');
  const { hash, resumed } = currentPlanHash(
    reference,
    open.map((i) => i.id),
    closed,
  );
  const approvals = await listApprovals(ctx.ledger, { subject: hash });
  const approval = verifyApprovals({
    subject: hash,
    subjectKind: deleteApprovalKind,
    approvals,
    policy: policyFor(ctx.approvalPolicies, deleteApprovalKind),
    approvers: ctx.approvers,
    now: ctx.clock ? ctx.clock() : Date.now(),
    ...(reference.owner === 'unowned' ? {} : { owner: reference.owner }),
  });
  return { hash, incidents: open.length + resumed, approval };
}

/**
 * Closed incidents of the reference grouped by the approved plan that closed them, as their
 * resolutions name it in `field`: `plan` for a delete plan, `breakerPlan` for a breaker override.
 */
export async function closedByPlan(
  incidents: Collection,
  reference: ResolvedReference,
  field: 'plan' | 'breakerPlan',
): Promise<Map<string, string[]>> {
  const byPlan = new Map<string, string[]>();
  for await (const incident of listIncidents(incidents, { subject: reference.name, status: 'closed' })) {
    const plan = isJsonObject(incident.resolution) ? incident.resolution[field] : undefined;
    if (typeof plan !== 'string') continue;
    byPlan.set(plan, [...(byPlan.get(plan) ?? []), incident.id]);
  }
  return byPlan;
}
