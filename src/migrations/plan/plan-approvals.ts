import { listApprovals, type StoredApproval } from '../../approvals/approval-ledger.js';
import type { ApprovalPolicy, Approver } from '../../approvals/approval-policy.js';
import { type ApprovalProblem, verifyApprovals } from '../../approvals/verify-approvals.js';
import type { Ledger } from '../../ledger/ledger.js';

/** The kind of change migrations are approved as; it picks the `approvalPolicies` entry. */
export const migrationsApprovalKind = 'migrations';

/**
 * What a migration approval signs: the plan hash and the hash of the dry-run report the approver
 * read, as one subject. Change a migration file, the store or the options and the plan hash
 * changes; run the dry run again and the report hash does: either way the approval no longer
 * matches.
 */
export function migrationApprovalSubject(planHash: string, reportHash: string): string {
  return `${planHash}:${reportHash}`;
}

/** The plan and report hashes of a subject made by {@link migrationApprovalSubject}. */
export function parseMigrationApprovalSubject(
  subject: string,
): { planHash: string; reportHash: string } | undefined {
  const match = /^([0-9a-f]{64}):([0-9a-f]{64})$/.exec(subject);
  return match ? { planHash: match[1]!, reportHash: match[2]! } : undefined;
}

/** Whether the approvals of a plan meet the policy, and which dry-run report they approved. */
export interface PlanApprovalStatus {
  readonly ok: boolean;
  /** The report whose approvals meet the policy, or come closest; undefined without approvals. */
  readonly reportHash?: string;
  readonly approvedBy: readonly string[];
  /** Why approvals did not count, and what the set lacks (see `verifyApprovals`). */
  readonly problems: readonly ApprovalProblem[];
  /** Every approval of the plan, whatever report it names. */
  readonly approvals: readonly StoredApproval[];
}

/**
 * Decides whether a plan is approved. Approvals count together only when they approve the same
 * dry-run report: two people who each read a different report have not agreed on one. With
 * `reportHash`, only approvals of that report count. With `includeOwner`, the owner rule must hold
 * for every owner of the collections the plan rewrites. Pure.
 */
export function checkPlanApprovals(input: {
  readonly planHash: string;
  readonly approvals: readonly StoredApproval[];
  readonly policy: ApprovalPolicy;
  readonly approvers: ReadonlyMap<string, Approver>;
  readonly now: number;
  /** Owners of the collections the plan rewrites (their contracts' `owner`). */
  readonly owners: readonly string[];
  readonly reportHash?: string;
}): PlanApprovalStatus {
  const mine = input.approvals.filter(
    (a) => parseMigrationApprovalSubject(a.subject)?.planHash === input.planHash,
  );
  const reports =
    input.reportHash !== undefined
      ? [input.reportHash]
      : [...new Set(mine.map((a) => parseMigrationApprovalSubject(a.subject)!.reportHash))];
  const verdicts = reports.map((reportHash) => ({ reportHash, ...verifyReport(input, reportHash) }));
  if (verdicts.length === 0) {
    const none = verifyReport(input, '0'.repeat(64));
    return { ok: false, approvedBy: [], problems: none.problems, approvals: mine };
  }
  const best =
    verdicts.find((v) => v.ok) ?? [...verdicts].sort((a, b) => b.approvedBy.length - a.approvedBy.length)[0]!;
  return {
    ok: best.ok,
    reportHash: best.reportHash,
    approvedBy: best.approvedBy,
    problems: best.problems,
    approvals: mine,
  };
}

function verifyReport(
  input: Parameters<typeof checkPlanApprovals>[0],
  reportHash: string,
): { ok: boolean; approvedBy: readonly string[]; problems: readonly ApprovalProblem[] } {
  const subject = migrationApprovalSubject(input.planHash, reportHash);
  const approvals = input.approvals.filter((a) => a.subject === subject);
  const owners = input.policy.includeOwner && input.owners.length > 0 ? input.owners : [undefined];
  const checks = owners.map((owner) =>
    verifyApprovals({
      subject,
      subjectKind: migrationsApprovalKind,
      approvals,
      policy: input.policy,
      approvers: input.approvers,
      now: input.now,
      ...(owner === undefined ? {} : { owner }),
    }),
  );
  const problems = checks.flatMap((c, i) =>
    i === 0 ? c.problems : c.problems.filter((p) => p.code === 'owner-missing'),
  );
  return { ok: checks.every((c) => c.ok), approvedBy: checks[0]!.approvedBy, problems };
}

/** Reads the ledger's approvals and checks those of a plan (see {@link checkPlanApprovals}). */
export async function planApprovals(
  ledger: Ledger,
  input: Omit<Parameters<typeof checkPlanApprovals>[0], 'approvals'>,
): Promise<PlanApprovalStatus> {
  const approvals = (await listApprovals(ledger)).filter((a) => a.subject.startsWith(`${input.planHash}:`));
  return checkPlanApprovals({ ...input, approvals });
}
