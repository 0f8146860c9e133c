import type { ResolvedConfig } from '../../config/resolved-config.js';
import { type LoadedContracts, loadContracts } from '../../contracts/load-contracts.js';
import type { Ledger } from '../../ledger/ledger.js';
import { type ChangelogRecord, countsAsApplied, readChangelogRecords } from '../changelog.js';
import type { Migration } from '../migration.js';
import { type ChangelogProblem, pendingMigrations } from '../migration-plan.js';
import { checkMigrationsAgainstContracts, type MigrationProblem } from '../parse-migration.js';

/**
 * Everything the migration stages read before they act: the migration files, the contracts, the
 * changelog, what is pending, and what is wrong between them. Reading it never fails on those
 * problems; each stage decides (plan refuses with exit 2, validate reports them with exit 1).
 */
export interface MigrationsState {
  /** Every migration file, sorted by id. */
  readonly migrations: readonly Migration[];
  readonly contracts: LoadedContracts;
  /** The changelog: one record per migration ever applied. */
  readonly records: readonly ChangelogRecord[];
  readonly pending: readonly Migration[];
  /** Migrations whose collections or versions the contracts do not declare. */
  readonly contractProblems: readonly MigrationProblem[];
  /** Applied migrations edited or gone, pending ones out of order. */
  readonly changelogProblems: readonly ChangelogProblem[];
}

/** Reads the contracts and the changelog for already loaded migrations (see `loadMigrations`). */
export async function readMigrationsState(
  config: ResolvedConfig,
  ledger: Ledger,
  migrations: readonly Migration[],
): Promise<MigrationsState> {
  const contracts = await loadContracts(config.contracts.dir);
  const records = await readChangelogRecords(ledger);
  // The same rule as `readChangelog`: unfinished runs count as applied.
  const applied = records
    .filter(countsAsApplied)
    .map((r) => ({ id: r.id, checksum: r.checksum, appliedAt: r.appliedAt ?? r.startedAt }));
  const { pending, problems } = pendingMigrations(migrations, applied);
  return {
    migrations,
    contracts,
    records,
    pending,
    contractProblems: checkMigrationsAgainstContracts(migrations, contracts.contracts),
    changelogProblems: problems,
  };
}
