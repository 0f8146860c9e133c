import type { DocumentFailure, OperationResult } from '../apply/apply-state.js';
import type { ChangelogRecord, MigrationCounts } from '../changelog.js';
import type { CollectionChecksum } from '../collection-checksum.js';
import type { ValidatorResult } from '../validators/validator-result.js';
import type { MigrationRollbackOutcome } from './rollback-migration.js';

/**
 * What `migrate rollback` did. `status`: `rolled-back` (every target reversed; see each one's
 * verification), `nothing` (nothing applied), `paused` (stopped on request; rerun to resume).
 */
export interface RollbackReport {
  readonly status: 'rolled-back' | 'nothing' | 'paused';
  readonly resumed: boolean;
  readonly migrations: readonly MigrationRollbackReport[];
  readonly durationMs: number;
}

export interface MigrationRollbackReport {
  readonly id: string;
  readonly attempt: number;
  readonly status: 'rolled-back' | 'paused';
  /** `changed`: documents restored from their before-images. */
  readonly counts: MigrationCounts;
  /** Documents converted by an exact `down()`. */
  readonly converted: number;
  readonly failures: readonly DocumentFailure[];
  readonly operations: readonly OperationResult[];
  /** Documents per version per collection after the rollback (the census). */
  readonly census: Readonly<Record<string, Readonly<Record<string, number>>>>;
  /** At the target version and not there before apply: 0 proves nothing was left half-migrated. */
  readonly remainingAtTarget: number;
  readonly validators: readonly ValidatorResult[];
  /** Checksums now, and the hashes apply recorded before it changed anything. */
  readonly checksums: Readonly<Record<string, CollectionChecksum>>;
  readonly checksumsBefore: Readonly<Record<string, string>>;
  /** True: every collection is exactly as before apply; null: no checksum from before to compare. */
  readonly exact: boolean | null;
}

export function migrationRollbackReport(
  record: ChangelogRecord,
  outcome: MigrationRollbackOutcome,
): MigrationRollbackReport {
  const p = outcome.progress;
  const v = outcome.verification;
  return {
    id: record.id,
    attempt: p.attempt,
    status: outcome.status,
    counts: p.counts,
    converted: p.converted,
    failures: p.failures,
    operations: p.operations,
    census: v?.versions ?? p.census.versions,
    remainingAtTarget: p.remainingAtTarget,
    validators: v?.validators ?? [],
    checksums: v?.checksums ?? {},
    checksumsBefore: record.checksumsBefore,
    exact: v?.exact ?? null,
  };
}

/** True when the rollback needs a person's attention (the CLI's exit 1). */
export function rollbackNeedsAttention(report: RollbackReport): boolean {
  return report.migrations.some(
    (m) =>
      m.status !== 'rolled-back' ||
      m.counts.failed > 0 ||
      m.remainingAtTarget > 0 ||
      m.exact === false ||
      m.validators.some((v) => !v.ok),
  );
}
