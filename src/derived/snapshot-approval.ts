import { listApprovals } from '../approvals/approval-ledger.js';
import { type ApprovalPolicy, type Approver, policyFor } from '../approvals/approval-policy.js';
import { type ApprovalVerification, verifyApprovals } from '../approvals/verify-approvals.js';
import { hashJson } from '../core/hash.js';
import type { JsonValue } from '../core/json.js';
import type { Ledger } from '../ledger/ledger.js';

/** The approval kind forcing a refresh of a snapshot asks for. */
export const snapshotApprovalKind = 'derived.snapshot-refresh';

/**
 * The subject an approval of a snapshot refresh signs: the derived state, the command and its
 * scope (open incidents, some ids, a filter, everything), hashed. A different scope needs a new
 * approval, so an approval to refresh one entity never covers all of them.
 */
export function snapshotRefreshSubject(
  derived: string,
  action: 'drift repair' | 'rebuild',
  scope: JsonValue,
): string {
  return `snap-${hashJson({ kind: snapshotApprovalKind, derived, action, scope })}`;
}

/** Checks the stored approvals of a snapshot refresh against the `derived.snapshot-refresh` policy. */
export async function verifySnapshotRefresh(
  ledger: Ledger,
  subject: string,
  config: { approvers: ReadonlyMap<string, Approver>; approvalPolicies: ReadonlyMap<string, ApprovalPolicy> },
  now: number,
): Promise<ApprovalVerification> {
  const approvals = await listApprovals(ledger, { subject });
  return verifyApprovals({
    subject,
    subjectKind: snapshotApprovalKind,
    approvals,
    policy: policyFor(config.approvalPolicies, snapshotApprovalKind),
    approvers: config.approvers,
    now,
  });
}
