import type { ApprovalPolicy, Approver } from '../../approvals/approval-policy.js';
import type { Clock } from '../../ledger/clock.js';
import type { Ledger } from '../../ledger/ledger.js';
import type { IntegrityEventListener } from '../../signals/integrity-event.js';
import type { Collection } from '../../stores/store.js';

/**
 * What repair works with: the ledger (incidents, before-images, approvals, audit), the user's
 * collections by config name in whichever store holds each, the approval settings, and where to
 * send events. The CLI builds it from the config; a library user can build one by hand.
 */
export interface RepairContext {
  readonly ledger: Ledger;
  /** The handle of a collection named in the config's `collections`. */
  collection(name: string): Collection;
  readonly approvers: ReadonlyMap<string, Approver>;
  readonly approvalPolicies: ReadonlyMap<string, ApprovalPolicy>;
  /** Who repairs, recorded in incident resolutions (the audit log records the ledger's actor). */
  readonly actor: string;
  readonly onEvent?: IntegrityEventListener;
  readonly clock?: Clock;
}

export interface RepairOptions {
  /** Decide and report, write nothing: no user document, no ledger record. */
  readonly dryRun?: boolean;
  /** Incidents per batch: one read, one bulk write, one audit append per batch. Default 100. */
  readonly batchSize?: number;
  /**
   * Repair references whose circuit breaker tripped, when the override plan's approvals are valid
   * (see `integrity/breaker/`). Without valid approvals the run is refused all the same.
   */
  readonly forceBreaker?: boolean;
}

/** The time now, as ISO text, by the context's clock. */
export function nowIso(ctx: Pick<RepairContext, 'clock'>): string {
  return new Date(ctx.clock ? ctx.clock() : Date.now()).toISOString();
}
