import { listApprovals, type StoredApproval, usesOf } from '../../approvals/approval-ledger.js';
import type { ApprovalPolicy, Approver } from '../../approvals/approval-policy.js';
import { type ApprovalProblem, verifyApprovals } from '../../approvals/verify-approvals.js';
import { StewardError } from '../../errors/steward-error.js';
import type { Ledger } from '../../ledger/ledger.js';
import { type DryRunRecord, latestDryRun } from '../report/dry-run-record.js';

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

/**
 * Why no approval of the plan can count now, or undefined: the plan has no recorded dry run, or
 * its latest dry run failed. With `reportHash` (the report an approval names), also when that is
 * not the latest dry run's report. Pure; the one rule `migrate approve`, `approvals sign`,
 * `migrate status` and `migrate apply` share.
 */
export function dryRunProblem(
  planHash: string,
  dryRun: DryRunRecord | undefined,
  reportHash?: string,
): string | undefined {
  if (!dryRun)
    return `no dry run of plan ${planHash} is recorded in the ledger: run "steward migrate dry-run" first, then approve its report`;
  if (reportHash !== undefined && reportHash !== dryRun.reportHash)
    return (
      `report ${reportHash} is not the latest dry run of plan ${planHash}: that is report ${dryRun.reportHash} ` +
      `(${dryRun.report}, run at ${dryRun.createdAt}); read and approve that one`
    );
  if (!dryRun.ok)
    return (
      `the latest dry run of plan ${planHash} (report ${dryRun.reportHash}, ${dryRun.report}) failed: ` +
      'fix the migration (or its validators, or the data), dry-run again and approve that'
    );
  return undefined;
}

/**
 * Why an approval of `subject` must not be signed, or undefined: the subject is not
 * `<plan-hash>:<report-hash>`, the plan is not the current one, or the report is not the latest
 * passed dry run of it (see {@link dryRunProblem}). Pure.
 */
export function migrationSubjectProblem(
  subject: string,
  current: { readonly planHash: string; readonly dryRun: DryRunRecord | undefined },
): string | undefined {
  const parsed = parseMigrationApprovalSubject(subject);
  if (!parsed)
    return (
      `"${subject}" is not a migration approval subject, which is <plan-hash>:<report-hash>; ` +
      'run "steward migrate approve <plan-hash>" after the dry run'
    );
  if (parsed.planHash !== current.planHash)
    return (
      `${parsed.planHash} is not the current plan (${current.planHash}): the migrations, the store or the options changed since. ` +
      'Run "steward migrate plan" and "steward migrate dry-run" again, and approve what they print.'
    );
  return dryRunProblem(current.planHash, current.dryRun, parsed.reportHash);
}

/**
 * Refuses (`usage`, exit 2) to sign a migration approval of `subject` unless it approves the
 * current plan and its latest dry run, which passed. Every command that signs migration approvals
 * calls it before signing, so nothing is signed that apply would not count.
 */
export async function assertMigrationSubject(
  ledger: Ledger,
  subject: string,
  currentPlanHash: string,
): Promise<DryRunRecord> {
  const dryRun = await latestDryRun(ledger, currentPlanHash);
  const problem = migrationSubjectProblem(subject, { planHash: currentPlanHash, dryRun });
  if (problem || !dryRun)
    throw new StewardError('usage', `cannot approve ${subject}: ${problem}`, { subject });
  return dryRun;
}

/** Whether the approvals of a plan meet the policy, for its latest dry run. */
export interface PlanApprovalStatus {
  readonly ok: boolean;
  /** The latest dry run of the plan: only approvals of its report count, and only if it passed. */
  readonly dryRun?: DryRunRecord;
  /** Why no approval can count (no dry run, or it failed); see {@link dryRunProblem}. */
  readonly dryRunProblem?: string;
  /** The latest dry run's report hash, which the counted approvals approve. */
  readonly reportHash?: string;
  readonly approvedBy: readonly string[];
  /** Ids of the approvals that counted, one per approver. */
  readonly counted: readonly string[];
  /**
   * Of `counted`, the approvals an earlier run used up that count again because the policy says
   * `reuseAfterRollback`; empty otherwise.
   */
  readonly reused: readonly string[];
  /** Why approvals of the latest report did not count, and what the set lacks (`verifyApprovals`). */
  readonly problems: readonly ApprovalProblem[];
  /** Every approval of the plan, whatever report it names. */
  readonly approvals: readonly StoredApproval[];
  /** Approvals of the plan naming another report than the latest dry run's: they never count. */
  readonly otherReports: number;
}

/** What {@link checkPlanApprovals} decides on. */
export interface PlanApprovalInput {
  readonly planHash: string;
  /** The latest dry run recorded for the plan (see `latestDryRun`). */
  readonly dryRun: DryRunRecord | undefined;
  readonly approvals: readonly StoredApproval[];
  readonly policy: ApprovalPolicy;
  readonly approvers: ReadonlyMap<string, Approver>;
  readonly now: number;
  /** Owners of the collections the plan rewrites (their contracts' `owner`). */
  readonly owners: readonly string[];
  /** The apply run asking: approvals it used up itself still count for it (a resumed run). */
  readonly run?: string;
}

/**
 * Decides whether a plan is approved. Only approvals of `<plan>:<report of the latest dry run>`
 * count, and none while that dry run failed or when there is none; two people who each read a
 * different report have not agreed on one. An approval another run used up does not count
 * (unless the policy says `reuseAfterRollback`). With `includeOwner`, the owner rule must hold for
 * every owner of the collections the plan rewrites. Pure.
 */
export function checkPlanApprovals(input: PlanApprovalInput): PlanApprovalStatus {
  const mine = input.approvals.filter(
    (a) => parseMigrationApprovalSubject(a.subject)?.planHash === input.planHash,
  );
  const blocked = dryRunProblem(input.planHash, input.dryRun);
  const reportHash = input.dryRun?.reportHash ?? '0'.repeat(64);
  const subject = migrationApprovalSubject(input.planHash, reportHash);
  const ofReport = mine.filter((a) => a.subject === subject);
  const verdict = verifyReport(input, subject, ofReport);
  const uses = usesOf(ofReport);
  const reused = input.policy.reuseAfterRollback
    ? verdict.counted.filter((id) => uses.has(id) && uses.get(id)?.usedBy !== input.run)
    : [];
  return {
    ok: verdict.ok && blocked === undefined,
    ...(input.dryRun ? { dryRun: input.dryRun, reportHash } : {}),
    ...(blocked ? { dryRunProblem: blocked } : {}),
    approvedBy: verdict.approvedBy,
    counted: verdict.counted,
    reused,
    problems: verdict.problems,
    approvals: mine,
    otherReports: mine.length - ofReport.length,
  };
}

function verifyReport(
  input: PlanApprovalInput,
  subject: string,
  approvals: readonly StoredApproval[],
): { ok: boolean; approvedBy: readonly string[]; counted: readonly string[]; problems: ApprovalProblem[] } {
  const owners = input.policy.includeOwner && input.owners.length > 0 ? input.owners : [undefined];
  const checks = owners.map((owner) =>
    verifyApprovals({
      subject,
      subjectKind: migrationsApprovalKind,
      approvals,
      policy: input.policy,
      approvers: input.approvers,
      now: input.now,
      ...(input.policy.reuseAfterRollback ? {} : { uses: usesOf(approvals) }),
      ...(input.run === undefined ? {} : { run: input.run }),
      ...(owner === undefined ? {} : { owner }),
    }),
  );
  const problems = checks.flatMap((c, i) =>
    i === 0 ? c.problems : c.problems.filter((p) => p.code === 'owner-missing'),
  );
  const first = checks[0]!;
  return { ok: checks.every((c) => c.ok), approvedBy: first.approvedBy, counted: first.counted, problems };
}

/** Reads the plan's latest dry run and approvals from the ledger and checks them (see {@link checkPlanApprovals}). */
export async function planApprovals(
  ledger: Ledger,
  input: Omit<PlanApprovalInput, 'approvals' | 'dryRun'>,
): Promise<PlanApprovalStatus> {
  const dryRun = await latestDryRun(ledger, input.planHash);
  const approvals = (await listApprovals(ledger)).filter((a) => a.subject.startsWith(`${input.planHash}:`));
  return checkPlanApprovals({ ...input, dryRun, approvals });
}

/** The lines saying why a plan is not approved: the dry run's problem, the approvals', stale ones. */
export function planApprovalProblems(
  status: Pick<PlanApprovalStatus, 'dryRunProblem' | 'problems' | 'otherReports' | 'reportHash'>,
): string[] {
  const lines = status.dryRunProblem ? [status.dryRunProblem] : [];
  lines.push(...new Set(status.problems.map((p) => p.message)));
  if (status.otherReports > 0 && status.reportHash)
    lines.push(
      `${status.otherReports} approval(s) of this plan approve another dry run than the latest (report ${status.reportHash}): they do not count`,
    );
  return lines;
}
