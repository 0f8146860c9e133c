import { hashJson } from '../core/hash.js';
import { StewardError } from '../errors/steward-error.js';
import type { Migration } from './migration.js';

/** What the changelog remembers of an applied migration. */
export interface AppliedMigration {
  readonly id: string;
  readonly checksum: string;
  readonly appliedAt: string;
}

/** A difference between the migration files and the changelog that must stop every stage. */
export interface ChangelogProblem {
  readonly id: string;
  readonly kind: 'edited-after-apply' | 'file-missing' | 'out-of-order';
  readonly message: string;
}

/**
 * The migrations not applied yet, in order, and what is wrong between the files and the
 * changelog: an applied migration whose file changed (its checksum differs) or disappeared, and a
 * pending migration that sorts before an applied one (it would run after migrations written
 * later, against data they already changed). Pure.
 */
export function pendingMigrations(
  migrations: readonly Migration[],
  applied: readonly AppliedMigration[],
): { pending: Migration[]; problems: ChangelogProblem[] } {
  const byId = new Map(migrations.map((m) => [m.id, m]));
  const appliedIds = new Set(applied.map((a) => a.id));
  const problems: ChangelogProblem[] = [];
  for (const record of applied) {
    const migration = byId.get(record.id);
    if (!migration) {
      problems.push({
        id: record.id,
        kind: 'file-missing',
        message: `${record.id} was applied on ${record.appliedAt} but its file is gone; restore it or roll it back first`,
      });
    } else if (migration.checksum !== record.checksum) {
      problems.push({
        id: record.id,
        kind: 'edited-after-apply',
        message: `${record.id} (${migration.file}) changed after it was applied on ${record.appliedAt}; write a new migration instead of editing an applied one`,
      });
    }
  }
  const lastApplied = [...appliedIds].sort().at(-1);
  const pending = migrations.filter((m) => !appliedIds.has(m.id));
  for (const m of pending) {
    if (lastApplied !== undefined && m.id < lastApplied)
      problems.push({
        id: m.id,
        kind: 'out-of-order',
        message: `${m.id} is pending but sorts before ${lastApplied}, which is applied; give it a later id`,
      });
  }
  return { pending, problems };
}

/**
 * The pending migrations up to and including `to` (all of them without it): `migrate apply --to`
 * stops after that migration, and the plan it applies, hashes and has approved is this prefix.
 */
export function pendingUpTo<T extends { readonly id: string }>(
  pending: readonly T[],
  to: string | undefined,
): T[] {
  return to === undefined ? [...pending] : pending.filter((m) => m.id <= to);
}

/**
 * Refuses (`usage`, exit 2) a `--to` naming no migration file: a typo must not apply everything.
 */
export function checkMigrationId(
  migrations: readonly { readonly id: string }[],
  to: string | undefined,
): void {
  if (to === undefined || migrations.some((m) => m.id === to)) return;
  const known = migrations.map((m) => m.id);
  throw new StewardError(
    'usage',
    `--to ${to}: no migration has that id (known: ${known.length > 0 ? known.join(', ') : 'none'})`,
    { to, known },
  );
}

/** The options that change what a plan does, so an approval of one plan never covers another. */
export interface PlanOptions {
  readonly canaryPercent: number;
  readonly batchSize: number;
}

/**
 * The plan hash approvals sign: the pending migrations' ids and checksums in order, the target
 * store's identity (its kind and the collections' physical names) and the options. Anything that
 * changes what apply would do changes the hash, and with it invalidates the approvals.
 */
export function planHash(input: {
  readonly migrations: readonly Pick<Migration, 'id' | 'checksum'>[];
  readonly store: {
    readonly name: string;
    readonly kind: string;
    readonly collections: Readonly<Record<string, string>>;
  };
  readonly options: PlanOptions;
}): string {
  return hashJson({
    migrations: input.migrations.map((m) => ({ id: m.id, checksum: m.checksum })),
    store: input.store,
    options: input.options,
  });
}
