import type { Ledger } from '../../ledger/ledger.js';
import { applyJob } from '../../migrations/apply/apply-context.js';
import { parseApplyState } from '../../migrations/apply/apply-state.js';
import { countsAsApplied, readChangelogRecords } from '../../migrations/changelog.js';
import type { Migration } from '../../migrations/migration.js';
import { pendingMigrations, pendingUpTo } from '../../migrations/migration-plan.js';

/**
 * The migrations an apply works on, to pick the one store it changes: those of the unfinished
 * run's plan when there is one, else the pending ones up to `to`. A project whose migrations
 * live in several stores applies them store by store (`--to`), so the store is chosen from what
 * this run applies, not from every file.
 */
export async function migrationsToApply(
  ledger: Ledger,
  migrations: readonly Migration[],
  to: string | undefined,
): Promise<readonly Migration[]> {
  const saved = parseApplyState(await ledger.checkpoints.load(applyJob));
  if (saved) return migrations.filter((m) => saved.plan.ids.includes(m.id));
  const applied = (await readChangelogRecords(ledger))
    .filter(countsAsApplied)
    .map((r) => ({ id: r.id, checksum: r.checksum, appliedAt: r.appliedAt ?? r.startedAt }));
  return pendingUpTo(pendingMigrations(migrations, applied).pending, to);
}

/**
 * The migrations a rollback reverses, to pick the store it changes: every applied one from `to`
 * on, or the last applied one (unfinished runs count as applied). Files that are gone are left
 * out: rollback works from before-images, and its target is then the store of the others.
 */
export async function migrationsToRollBack(
  ledger: Ledger,
  migrations: readonly Migration[],
  to: string | undefined,
): Promise<readonly Migration[]> {
  const applied = (await readChangelogRecords(ledger))
    .filter(countsAsApplied)
    .map((r) => r.id)
    .sort();
  const ids = to === undefined ? applied.slice(-1) : applied.filter((id) => id >= to);
  return migrations.filter((m) => ids.includes(m.id));
}
