import type { MigrationCounts } from '../changelog.js';
import type { CollectionChecksum } from '../collection-checksum.js';
import type { Migration } from '../migration.js';
import type { MigrationRunOutcome } from './apply-migration.js';
import { checksumsBefore, migrationCounts } from './apply-records.js';
import type { ApplyRefusal } from './apply-refusal.js';
import type { DocumentFailure, GateResult, OperationResult } from './apply-state.js';

/**
 * What `migrate apply` did. `status`:
 * - `applied`: every migration of the plan is applied (some documents may have failed within the
 *   allowed error rate: see each migration's `failures`);
 * - `nothing-pending`: no migration to apply;
 * - `refused`: nothing was done, see `refusal`;
 * - `gate-failed`: a migration stopped at a gate and waits for `apply --resume` or `rollback`;
 * - `rolled-back`: a gate failed and `autoRollback` undid the migration;
 * - `paused`: stopped on request after a batch; rerun to resume.
 */
export interface ApplyReport {
  readonly status: 'applied' | 'nothing-pending' | 'refused' | 'gate-failed' | 'rolled-back' | 'paused';
  readonly planHash?: string;
  /** True when this run continued an earlier, unfinished one. */
  readonly resumed: boolean;
  readonly refusal?: ApplyRefusal;
  /** The approvals this run went on, once it got past its checks. */
  readonly approvals?: ApprovalsUsed;
  readonly migrations: readonly MigrationApplyReport[];
  readonly durationMs: number;
}

/**
 * The approvals an apply run went on. It used them up: a later run of the plan needs new ones,
 * unless the policy says `reuseAfterRollback`, in which case `reused` names those an earlier,
 * rolled-back run had used.
 */
export interface ApprovalsUsed {
  /** The run's id, as the approvals' use records name it. */
  readonly run: string;
  /** The dry-run report the approvals approved: the latest of the plan, which passed. */
  readonly reportHash: string;
  readonly approvedBy: readonly string[];
  /** Ids of the approvals used. */
  readonly used: readonly string[];
  /** Of `used`, those used before by a run that was rolled back, counted again by the policy. */
  readonly reused: readonly string[];
}

export interface MigrationApplyReport {
  readonly id: string;
  readonly attempt: number;
  readonly status: 'applied' | 'gate-failed' | 'rolled-back' | 'paused';
  readonly operations: readonly OperationResult[];
  readonly counts: MigrationCounts;
  readonly failures: readonly DocumentFailure[];
  readonly gates: readonly GateResult[];
  readonly checksumsBefore: Readonly<Record<string, CollectionChecksum>>;
  readonly checksumsAfter?: Readonly<Record<string, CollectionChecksum>>;
}

/** True when the report needs a person's attention (the CLI's exit 1). */
export function applyNeedsAttention(report: ApplyReport): boolean {
  if (report.status !== 'applied' && report.status !== 'nothing-pending' && report.status !== 'paused')
    return true;
  return report.migrations.some((m) => m.counts.failed > 0);
}

/** One migration's part of the report, from how its run ended. */
export function migrationReport(migration: Migration, outcome: MigrationRunOutcome): MigrationApplyReport {
  const p = outcome.progress;
  return {
    id: migration.id,
    attempt: p.attempt,
    status: outcome.status,
    operations: p.operations,
    counts: migrationCounts(p.counts),
    failures: p.failures,
    gates: p.gates,
    checksumsBefore: checksumsBefore(migration, p),
    ...(outcome.checksumsAfter ? { checksumsAfter: outcome.checksumsAfter } : {}),
  };
}
