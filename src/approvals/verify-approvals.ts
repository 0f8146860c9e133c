import { type Approval, approvalId, isApproval } from './approval.js';
import { signatureValid } from './approval-keys.js';
import type { ApprovalUse } from './approval-ledger.js';
import type { ApprovalPolicy, Approver } from './approval-policy.js';

/** Why an approval did not count, or why the set of approvals falls short. */
export type ApprovalProblemCode =
  | 'malformed'
  | 'subject-mismatch'
  | 'kind-mismatch'
  | 'unknown-approver'
  | 'bad-signature'
  | 'expired'
  | 'not-yet-valid'
  | 'role-not-held'
  | 'role-not-allowed'
  | 'used'
  | 'duplicate-approver'
  | 'owner-missing'
  | 'quorum';

export interface ApprovalProblem {
  readonly code: ApprovalProblemCode;
  readonly message: string;
  /** The approver of the approval concerned; absent for problems of the whole set. */
  readonly approver?: string;
}

export interface VerifyApprovalsInput {
  /** The hash of what is about to happen; every approval must be for exactly it. */
  readonly subject: string;
  /** The kind of change; when given, approvals signed for another kind do not count. */
  readonly subjectKind?: string;
  readonly approvals: readonly unknown[];
  readonly policy: ApprovalPolicy;
  readonly approvers: ReadonlyMap<string, Approver>;
  /** Milliseconds since the epoch. */
  readonly now: number;
  /** The owner of the changed thing (a reference's owner), for `includeOwner`. */
  readonly owner?: string;
  /**
   * Approvals already used up, by approval id (see `useApprovals`). One used by another run than
   * `run` does not count: an approval authorises one run. Absent: uses are not checked.
   */
  readonly uses?: ReadonlyMap<string, ApprovalUse>;
  /** The run asking; approvals it used itself still count for it (a resumed run). */
  readonly run?: string;
}

export interface ApprovalVerification {
  /** True when enough valid approvals, by distinct approvers, meet the policy. */
  readonly ok: boolean;
  /**
   * Every approval that did not count and why, then what the set lacks. Not empty does not mean
   * refused: an expired approval next to enough valid ones is reported but harmless.
   */
  readonly problems: readonly ApprovalProblem[];
  /** Approvers whose approvals counted, each once. */
  readonly approvedBy: readonly string[];
  /** The ids of the approvals that counted, one per approver, in the order of `approvedBy`. */
  readonly counted: readonly string[];
}

/**
 * A signature dated this far ahead of the verifier's clock still counts, for clock skew between
 * the signer's machine and the one running the change. Further ahead is refused.
 */
const allowedSkewMs = 5 * 60_000;

/**
 * Decides whether a set of approvals allows a change. Pure: the approvals, the approvers' public
 * keys and the clock are all passed in. Each approval is checked on its own (subject, kind, known
 * approver, signature, time window, role), then the ones that pass are counted once per approver
 * against the policy's quorum and owner rule.
 */
export function verifyApprovals(input: VerifyApprovalsInput): ApprovalVerification {
  const problems: ApprovalProblem[] = [];
  const counted = new Map<string, Approval>();
  for (const candidate of input.approvals) {
    const problem = approvalProblem(candidate, input);
    if (problem) {
      problems.push(problem);
      continue;
    }
    const approval = candidate as Approval;
    if (counted.has(approval.approver)) {
      problems.push({
        code: 'duplicate-approver',
        approver: approval.approver,
        message: `${approval.approver} approved more than once; their approval counts once`,
      });
      continue;
    }
    counted.set(approval.approver, approval);
  }
  const { required, includeOwner } = input.policy;
  if (counted.size < required) {
    problems.push({
      code: 'quorum',
      message: `${required} approval(s) by distinct approvers needed, ${counted.size} valid`,
    });
  }
  if (includeOwner && ![...counted.values()].some((a) => byOwner(a, input))) {
    const whose = input.owner === undefined ? '' : ` of "${input.owner}"`;
    problems.push({
      code: 'owner-missing',
      message: `an approval in role "owner" by an owner${whose} is needed`,
    });
  }
  const ok = !problems.some((p) => p.code === 'quorum' || p.code === 'owner-missing');
  return { ok, problems, approvedBy: [...counted.keys()], counted: [...counted.values()].map(approvalId) };
}

/** Why one approval does not count, checked in the order a reader would ask; undefined if it counts. */
function approvalProblem(candidate: unknown, input: VerifyApprovalsInput): ApprovalProblem | undefined {
  if (!isApproval(candidate)) return { code: 'malformed', message: 'an approval is missing fields' };
  const a = candidate;
  const problem = (code: ApprovalProblemCode, message: string) => ({ code, approver: a.approver, message });
  if (a.subject !== input.subject)
    return problem('subject-mismatch', `${a.approver} approved ${a.subject}, not ${input.subject}`);
  if (input.subjectKind !== undefined && a.subjectKind !== input.subjectKind)
    return problem(
      'kind-mismatch',
      `${a.approver} approved a "${a.subjectKind}", not a "${input.subjectKind}"`,
    );
  const approver = input.approvers.get(a.approver);
  if (!approver) return problem('unknown-approver', `"${a.approver}" is not in the config's approvers`);
  if (!signatureValid(a, approver.publicKeyPem))
    return problem(
      'bad-signature',
      `the signature of ${a.approver}'s approval does not verify with their key`,
    );
  const signedAt = Date.parse(a.signedAt);
  const expiresAt = Date.parse(a.expiresAt);
  if (Number.isNaN(signedAt) || Number.isNaN(expiresAt))
    return problem('malformed', `${a.approver}'s approval has unreadable times`);
  if (expiresAt <= input.now) return problem('expired', `${a.approver}'s approval expired at ${a.expiresAt}`);
  if (signedAt > input.now + allowedSkewMs)
    return problem('not-yet-valid', `${a.approver}'s approval is dated ${a.signedAt}, in the future`);
  if (!approver.roles.includes(a.role))
    return problem(
      'role-not-held',
      `${a.approver} signed as "${a.role}", a role the config does not give them`,
    );
  const allowed = input.policy.roles;
  if (allowed && !allowed.includes(a.role))
    return problem(
      'role-not-allowed',
      `role "${a.role}" does not count here (allowed: ${allowed.join(', ')})`,
    );
  const use = input.uses?.get(approvalId(a));
  if (use && use.usedBy !== input.run)
    return problem(
      'used',
      `${a.approver}'s approval was used up by run ${use.usedBy} at ${use.usedAt}; an approval authorises one run: sign again`,
    );
  return undefined;
}

function byOwner(approval: Approval, input: VerifyApprovalsInput): boolean {
  if (approval.role !== 'owner') return false;
  if (input.owner === undefined) return true;
  return input.approvers.get(approval.approver)?.owns.includes(input.owner) ?? false;
}
