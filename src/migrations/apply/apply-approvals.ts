import { listApprovals } from '../../approvals/approval-ledger.js';
import { type ApprovalPolicy, type Approver, policyFor } from '../../approvals/approval-policy.js';
import type { Ledger } from '../../ledger/ledger.js';
import {
  migrationsApprovalKind,
  type PlanApprovalStatus,
  parseMigrationApprovalSubject,
  planApprovalProblems,
  planApprovals,
} from '../plan/plan-approvals.js';
import { type ApplyRefusal, refusal } from './apply-refusal.js';

export interface ApprovalCheck {
  readonly ledger: Ledger;
  readonly planHash: string;
  readonly approvers: ReadonlyMap<string, Approver>;
  readonly policies: ReadonlyMap<string, ApprovalPolicy>;
  /** Owners of the collections the plan changes (from their contracts), for `includeOwner`. */
  readonly owners: readonly string[];
  /** Plan hashes the changelog knows (applied or started plans): their approvals are spent. */
  readonly spentPlans: readonly string[];
  /** The apply run asking (see `ApplyState.run`): approvals it used itself still count for it. */
  readonly run: string;
  /** Milliseconds since the epoch. */
  readonly now: number;
}

/** The approvals that let a run go: what it records as used, and what its report states. */
export interface ApprovalGrant {
  readonly reportHash: string;
  readonly approvedBy: readonly string[];
  /** Ids of the approvals that counted: the run uses them up. */
  readonly approvals: readonly string[];
  /** Of them, those used up by an earlier, rolled-back run, counted again by `reuseAfterRollback`. */
  readonly reused: readonly string[];
}

/**
 * Checks that the plan may be applied: its latest dry run (recorded in the ledger) passed, and the
 * approvals of `<plan hash>:<that report's hash>` not used up by another run meet the `migrations`
 * policy (see `plan/plan-approvals.ts`, the rules `migrate approve` and `approvals sign` also
 * enforce). A grant when they do, a refusal otherwise. When no approval is for this plan but some
 * are for another plan never started, the refusal says the plan changed since approval: the usual
 * cause is a migration file edited, or an option changed, after `migrate approve`.
 */
export async function checkApprovals(check: ApprovalCheck): Promise<ApprovalGrant | ApplyRefusal> {
  const policy = policyFor(check.policies, migrationsApprovalKind);
  const status = await planApprovals(check.ledger, {
    planHash: check.planHash,
    policy,
    approvers: check.approvers,
    now: check.now,
    owners: check.owners,
    run: check.run,
  });
  if (status.ok && status.reportHash)
    return {
      reportHash: status.reportHash,
      approvedBy: status.approvedBy,
      approvals: status.counted,
      reused: status.reused,
    };
  return await refuse(check, status, policy);
}

/** True for a refusal, false for a grant. */
export function isRefusal(value: ApprovalGrant | ApplyRefusal): value is ApplyRefusal {
  return 'reason' in value;
}

async function refuse(
  check: ApprovalCheck,
  status: PlanApprovalStatus,
  policy: ApprovalPolicy,
): Promise<ApplyRefusal> {
  // The dry run's problem is the refusal's message when it is the reason; not a problem line too.
  const problems = planApprovalProblems({ ...status, dryRunProblem: undefined });
  if (status.approvals.length === 0) {
    const others = await unstartedPlans(check);
    if (others.length > 0)
      return refusal(
        'plan-changed',
        `the plan changed since it was approved: approvals exist for ${others.slice(-3).join(', ')}, ` +
          `but the plan is now ${check.planHash}. Review it (\`steward migrate plan\`, \`steward migrate dry-run\`) ` +
          'and approve the new plan hash.',
        problems,
      );
  }
  if (status.dryRunProblem)
    return refusal('dry-run', `plan ${check.planHash} cannot be applied: ${status.dryRunProblem}.`, problems);
  return refusal(
    'approvals',
    `plan ${check.planHash} is not approved under the "${migrationsApprovalKind}" policy ` +
      `(${policy.required} approval(s) needed${policy.includeOwner ? ', one by an owner' : ''}, ` +
      `of the latest dry run's report, each authorising one apply). ` +
      'Run `steward migrate dry-run`, then `steward migrate approve <plan-hash>`.',
    problems,
  );
}

/** Plans that have migration approvals but never started: the plan this one replaced. */
async function unstartedPlans(check: ApprovalCheck): Promise<string[]> {
  const plans = (await listApprovals(check.ledger))
    .filter((a) => a.subjectKind === migrationsApprovalKind)
    .map((a) => parseMigrationApprovalSubject(a.subject)?.planHash)
    .filter((h): h is string => h !== undefined && h !== check.planHash && !check.spentPlans.includes(h));
  return [...new Set(plans)];
}
