import { listApprovals } from '../../approvals/approval-ledger.js';
import { type ApprovalPolicy, type Approver, policyFor } from '../../approvals/approval-policy.js';
import type { Ledger } from '../../ledger/ledger.js';
import {
  checkPlanApprovals,
  migrationsApprovalKind,
  parseMigrationApprovalSubject,
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
  /** Milliseconds since the epoch. */
  readonly now: number;
}

/**
 * Checks the approvals stored for the plan hash (`migrate approve` signs the plan hash together
 * with the dry-run report's hash; see `plan/plan-approvals.ts`) against the `migrations` policy;
 * undefined when they allow the plan, a refusal otherwise. When no approval is for this plan but
 * some are for another plan never started, the refusal says the plan changed since approval: the
 * usual cause is a migration file edited, or an option changed, after `migrate approve`.
 */
export async function checkApprovals(check: ApprovalCheck): Promise<ApplyRefusal | undefined> {
  const approvals = (await listApprovals(check.ledger)).filter(
    (a) => a.subjectKind === migrationsApprovalKind,
  );
  const policy = policyFor(check.policies, migrationsApprovalKind);
  const status = checkPlanApprovals({
    planHash: check.planHash,
    approvals,
    policy,
    approvers: check.approvers,
    now: check.now,
    owners: check.owners,
  });
  if (status.ok) return undefined;
  const problems = [...new Set(status.problems.map((p) => p.message))];
  const others = new Set(
    approvals
      .map((a) => parseMigrationApprovalSubject(a.subject)?.planHash)
      .filter((h): h is string => h !== undefined && h !== check.planHash && !check.spentPlans.includes(h)),
  );
  if (status.approvals.length === 0 && others.size > 0)
    return refusal(
      'plan-changed',
      `the plan changed since it was approved: approvals exist for ${[...others].slice(-3).join(', ')}, ` +
        `but the plan is now ${check.planHash}. Review it (\`steward migrate plan\`, \`steward migrate dry-run\`) ` +
        'and approve the new plan hash.',
      problems,
    );
  return refusal(
    'approvals',
    `plan ${check.planHash} is not approved under the "${migrationsApprovalKind}" policy ` +
      `(${policy.required} approval(s) needed${policy.includeOwner ? ', one by an owner' : ''}). ` +
      'Run `steward migrate dry-run`, then `steward migrate approve <plan-hash>`.',
    problems,
  );
}
