import { dirname, resolve } from 'node:path';
import type { ResolvedConfig } from '../../config/resolved-config.js';
import { touchedCollections } from '../../migrations/apply/migration-collections.js';
import { loadMigrations } from '../../migrations/load-migrations.js';
import type { Migration } from '../../migrations/migration.js';
import { type LoadedPlan, loadPlan } from '../../migrations/plan/load-plan.js';
import { defaultReportsDir } from '../../migrations/report/report-files.js';
import { type Workspace, withWorkspace } from '../workspace.js';

/** What every migrations entry point works with: a workspace, the migration files and the plan. */
export interface MigrationsWorkspace extends Workspace {
  readonly migrations: readonly Migration[];
  /** The folder dry-run reports go to by default: `.steward/reports` beside the config file. */
  readonly reportsDir: string;
  /** The current plan (see `loadPlan`); refuses with `migration.invalid` on any problem. */
  loadPlan(): Promise<LoadedPlan>;
}

/**
 * Loads the migration files, opens the ledger's store and every store holding a collection a
 * migration names, and the ledger; runs `work`; closes the stores.
 */
export async function withMigrations<T>(
  config: ResolvedConfig,
  actor: string,
  work: (run: MigrationsWorkspace) => Promise<T>,
): Promise<T> {
  const migrations = await loadMigrations(config.migrations.dir);
  const collections = migrations.flatMap((m) => touchedCollections(m));
  return withWorkspace(config, { collections }, actor, (workspace) =>
    work({
      ...workspace,
      migrations,
      reportsDir: defaultReportsDirOf(config),
      loadPlan: () => loadPlan({ config, ledger: workspace.ledger, migrations, storeFor: workspace.store }),
    }),
  );
}

/** `.steward/reports` beside the config file (the working directory for a config built in code). */
function defaultReportsDirOf(config: ResolvedConfig): string {
  return resolve(config.file ? dirname(config.file) : process.cwd(), defaultReportsDir);
}
