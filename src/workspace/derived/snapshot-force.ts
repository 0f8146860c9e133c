import type { ResolvedConfig } from '../../config/resolved-config.js';
import type { JsonValue } from '../../core/json.js';
import type { ResolvedDerived } from '../../derived/derived.js';
import {
  snapshotApprovalKind,
  snapshotRefreshSubject,
  verifySnapshotRefresh,
} from '../../derived/snapshot-approval.js';
import type { Ledger } from '../../ledger/ledger.js';

/** A forced refresh of a snapshot that its approvals do not allow: what to sign, and why not. */
export interface SnapshotRefusal {
  readonly type: 'refused';
  readonly derived: string;
  /** The subject to approve, of kind {@link snapshotApprovalKind}. */
  readonly subject: string;
  readonly kind: typeof snapshotApprovalKind;
  /** What is wrong with the approvals stored for it; empty when there are none. */
  readonly problems: readonly string[];
}

/**
 * Whether `force` may refresh this derived state's snapshots: false without `force`, true without
 * a snapshot (nothing to approve) or with valid approvals of the exact scope, a refusal (what to
 * sign) otherwise.
 */
export async function forceAllowed(
  force: boolean | undefined,
  config: ResolvedConfig,
  ledger: Ledger,
  derived: ResolvedDerived,
  action: 'drift repair' | 'rebuild',
  scope: () => Promise<JsonValue>,
): Promise<boolean | SnapshotRefusal> {
  if (force !== true) return false;
  if (!derived.snapshot) return true;
  const subject = snapshotRefreshSubject(derived.name, action, await scope());
  const verdict = await verifySnapshotRefresh(ledger, subject, config, Date.now());
  if (verdict.ok) return true;
  const problems = verdict.problems.map((p) => p.message);
  return { type: 'refused', derived: derived.name, subject, kind: snapshotApprovalKind, problems };
}
