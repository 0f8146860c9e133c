import type { ApprovalVerification } from '../../approvals/verify-approvals.js';
import type { JsonValue } from '../../core/json.js';
import type { DocKey } from '../../stores/store.js';
import type { BreakerCheck } from '../breaker/check-breaker.js';
import type { MissingTargetPolicy } from '../reference.js';
import type { RepairAction } from './repair-action.js';

/**
 * The outcome for one incident:
 * - `done`: repaired (or found repaired by an earlier run) and closed;
 * - `gone`: the document no longer exists; closed;
 * - `back`: every missing target exists again (restored since the scan): nothing written; closed;
 * - `flagged`: the policy is `flag`, nothing changes, the incident stays open for a person;
 * - `reported`: a type mismatch or an unknown kind, never repaired automatically; stays open;
 * - `skipped`: left open, `note` says why (changed since the scan, target not found to rehydrate);
 * - `refused`: a deletion without valid approvals; stays open;
 * - `failed`: the store refused the write; stays open;
 * - `planned`: a dry run's "would do".
 */
export type RepairStatus =
  | 'done'
  | 'gone'
  | 'back'
  | 'flagged'
  | 'reported'
  | 'skipped'
  | 'refused'
  | 'failed'
  | 'planned';

export const repairStatuses: readonly RepairStatus[] = [
  'done',
  'gone',
  'back',
  'flagged',
  'reported',
  'skipped',
  'refused',
  'failed',
  'planned',
];

export interface RepairItem {
  readonly incident: string;
  readonly kind: string;
  readonly collection: string;
  readonly key: DocKey;
  readonly action: RepairAction;
  readonly status: RepairStatus;
  readonly note?: string;
  /** What changed (for a dry run, what would). */
  readonly change?: Change;
}

/**
 * One change repair makes. Paths are values here, never object keys, so a change can be stored
 * as it is on every store (MongoDB refuses dots in field names).
 * - `set`: a field of the source document (`path`) from `before` to `after`;
 * - `delete`: the source document, whose reference at `path` held `before`;
 * - `insert`: target documents copied back, by key.
 */
export type Change =
  | { readonly type: 'set'; readonly path: string; readonly before: JsonValue; readonly after: JsonValue }
  | { readonly type: 'delete'; readonly path: string; readonly before: JsonValue }
  | { readonly type: 'insert'; readonly keys: readonly DocKey[] };

/** The repair of one reference. */
export interface ReferenceRepair {
  readonly reference: string;
  readonly policy: MissingTargetPolicy;
  /** The run's id, for `refs repair --undo` (absent for a dry run or when nothing could be written). */
  readonly run?: string;
  /** True when the run continued one that had stopped part-way. */
  readonly resumed?: boolean;
  readonly items: readonly RepairItem[];
  readonly counts: Readonly<Record<RepairStatus, number>>;
  /** For delete-dependent: the plan hash approvals must sign, and what the approvals amount to. */
  readonly plan?: {
    readonly hash: string;
    readonly incidents: number;
    readonly approval: ApprovalVerification;
  };
  /** Set when the reference could not be repaired at all (another run holds it). */
  readonly error?: string;
  /** Who holds the reference's repair lease, and until when (ISO 8601), when that stopped it. */
  readonly heldBy?: { readonly holder: string; readonly until: string };
}

export interface RepairReport {
  readonly dryRun: boolean;
  readonly references: readonly ReferenceRepair[];
  readonly counts: Readonly<Record<RepairStatus, number>>;
  /** The references whose circuit breaker tripped, overridden or not (see `integrity/breaker/`). */
  readonly breaker?: readonly BreakerCheck[];
  /** True when a tripped breaker refused the whole run: nothing was repaired or written. */
  readonly refusedByBreaker?: boolean;
}

/** Items counted by status. Pure. */
export function countStatuses(items: readonly Pick<RepairItem, 'status'>[]): Record<RepairStatus, number> {
  const counts = Object.fromEntries(repairStatuses.map((s) => [s, 0])) as Record<RepairStatus, number>;
  for (const item of items) counts[item.status]++;
  return counts;
}

/** Sums the counts of several references. Pure. */
export function addCounts(
  all: readonly Readonly<Record<RepairStatus, number>>[],
): Record<RepairStatus, number> {
  const total = countStatuses([]);
  for (const counts of all) for (const s of repairStatuses) total[s] += counts[s];
  return total;
}

/** True when the run needs a person: something refused, skipped, failed, or a reference not repaired. */
export function needsAttention(report: RepairReport): boolean {
  const { refused, skipped, failed } = report.counts;
  return refused + skipped + failed > 0 || report.references.some((r) => r.error !== undefined);
}
