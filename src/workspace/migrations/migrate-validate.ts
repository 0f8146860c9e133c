import { basename } from 'node:path';
import type { ResolvedConfig } from '../../config/resolved-config.js';
import { readMigrationsState } from '../../migrations/plan/migrations-state.js';
import { actorOf, type RunOptions } from '../run-options.js';
import { withMigrations } from './with-migrations.js';

/** One thing `migrateValidate` names: an applied migration edited or gone, one out of order, a contract disagreeing. */
export interface MigrationProblem {
  readonly migration: string;
  readonly kind: string;
  readonly message: string;
}

/** What `migrateValidate` found: `ok` when it named nothing. */
export interface MigrateValidateResult {
  readonly ok: boolean;
  /** Migration files found. */
  readonly migrations: number;
  /** Applied and not rolled back. */
  readonly applied: number;
  readonly pending: number;
  readonly problems: MigrationProblem[];
}

/**
 * Compares every applied migration with its file (an applied migration whose checksum changed or
 * whose file is gone, a pending one sorting before an applied one) and every migration with its
 * contracts. Writes nothing.
 */
export function migrateValidate(
  config: ResolvedConfig,
  options: RunOptions = {},
): Promise<MigrateValidateResult> {
  return withMigrations(config, actorOf(options), async (run) => {
    const state = await readMigrationsState(run.config, run.ledger, run.migrations);
    const problems = [
      ...state.changelogProblems.map((p) => ({ migration: p.id, kind: p.kind, message: p.message })),
      ...state.contractProblems.map((p) => ({
        migration: basename(p.file),
        kind: 'contract' as const,
        message: `${basename(p.file)}: ${p.path}: ${p.message}`,
      })),
    ];
    const applied = state.records.filter((r) => r.status !== 'rolled-back').length;
    return {
      ok: problems.length === 0,
      migrations: state.migrations.length,
      applied,
      pending: state.pending.length,
      problems,
    };
  });
}
