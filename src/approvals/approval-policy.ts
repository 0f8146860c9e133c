/**
 * Who may approve, and how many approvals a kind of change needs. Both come from the config
 * (`approvers`, `approvalPolicies`; see `config/resolve-approvals.ts`) and are plain data.
 */

/** A person allowed to sign approvals. */
export interface Approver {
  readonly name: string;
  /** The ed25519 public key, as PEM text (read from a file when the config is loaded). */
  readonly publicKeyPem: string;
  /** Roles they may sign in, such as `owner` or `dba`. */
  readonly roles: readonly string[];
  /**
   * The owners (services, teams) this approver speaks for. A policy with `includeOwner` needs an
   * approval in role `owner` from someone who owns the changed thing.
   */
  readonly owns: readonly string[];
}

/** How a kind of change is approved. */
export interface ApprovalPolicy {
  /** Distinct approvers needed. */
  readonly required: number;
  /** Roles whose approvals count. Default: any role the approver holds. */
  readonly roles?: readonly string[];
  /** One of the approvals must be by an owner of the changed thing, in role `owner`. */
  readonly includeOwner?: boolean;
  /**
   * Migrations only: approvals a run used up count again for the same plan once that run was
   * rolled back, so a re-apply needs no new signatures. Off by default: an approval authorises one
   * apply of one plan. An apply that reuses approvals says so in its report and audit record.
   */
  readonly reuseAfterRollback?: boolean;
}

/**
 * The policy when the config names none for a kind: one approval, in any role. Steward never
 * lets a destructive change through without a signature, even unconfigured.
 */
export const defaultApprovalPolicy: ApprovalPolicy = { required: 1 };

/** The policy for a kind of change: the configured one, or {@link defaultApprovalPolicy}. */
export function policyFor(policies: ReadonlyMap<string, ApprovalPolicy>, kind: string): ApprovalPolicy {
  return policies.get(kind) ?? defaultApprovalPolicy;
}
