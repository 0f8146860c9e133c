import { basename } from 'node:path';
import type { ResolvedConfig } from '../../config/resolved-config.js';
import { isStewardError, StewardError } from '../../errors/steward-error.js';
import type { Ledger } from '../../ledger/ledger.js';
import type { Store } from '../../stores/store.js';
import { planHashOf } from '../apply/apply-plan.js';
import { touchedCollections } from '../apply/migration-collections.js';
import { migrationTarget } from '../apply/migration-target.js';
import type { Migration } from '../migration.js';
import { pendingUpTo } from '../migration-plan.js';
import { describePlan, type MigrationPlan } from './migration-plan-view.js';
import { type MigrationsState, readMigrationsState } from './migrations-state.js';

/** The current plan and the state it was computed from. */
export interface LoadedPlan {
  readonly plan: MigrationPlan;
  readonly state: MigrationsState;
}

/**
 * Computes the current plan: the pending migrations in order, the documents they touch (count
 * estimates) and the plan hash over their checksums, the target store and the options (canary
 * percent, batch size). The hash is apply's own (`planHashOf`), so what `plan` prints, `dry-run`
 * reports and `approve` signs is exactly what `apply` checks.
 *
 * Refuses (`migration.invalid`, exit 2) when a migration disagrees with its contract, names a
 * collection the config does not declare, or the changelog disagrees with the files (an applied
 * migration edited or gone, a pending one sorting before an applied one): each line names the
 * file and the setting.
 */
export async function loadPlan(input: {
  readonly config: ResolvedConfig;
  readonly ledger: Ledger;
  readonly migrations: readonly Migration[];
  readonly storeFor: (name: string) => Store;
  /** Plan only the pending migrations up to and including this id (`--to`). */
  readonly to?: string;
}): Promise<LoadedPlan> {
  const { config } = input;
  const read = await readMigrationsState(config, input.ledger, input.migrations);
  const state = { ...read, pending: pendingUpTo(read.pending, input.to) };
  const lines = [
    ...state.contractProblems.map((p) => `${basename(p.file)}: ${p.path}: ${p.message}`),
    ...undeclared(config, state.pending),
    ...state.changelogProblems.map((p) => `${p.id}: ${p.message}`),
  ];
  if (lines.length > 0)
    throw new StewardError(
      'migration.invalid',
      `the migrations cannot be planned (${lines.length} problem(s)):\n${lines.map((l) => `  ${l}`).join('\n')}`,
      { problems: lines },
    );
  const target = migrationTarget(config, state.pending, input.storeFor);
  const touched = [...new Set(state.pending.flatMap(touchedCollections))];
  const options = { canaryPercent: config.migrations.canaryPercent, batchSize: config.migrations.batchSize };
  const hash = planHashOf(state.pending, target, options);
  const estimates = await estimate(config, target.store, touched);
  const plan = describePlan({
    hash,
    store: { name: target.storeName, kind: target.store.kind },
    options,
    pending: state.pending,
    touched: touchedCollections,
    physical: (name) => target.collection(name).spec.name,
    estimates,
  });
  return { plan, state };
}

/** Collections pending migrations rewrite that the config does not declare (copy targets excepted). */
function undeclared(config: ResolvedConfig, pending: readonly Migration[]): string[] {
  const where = config.file ? basename(config.file) : 'the config';
  return pending.flatMap((m) =>
    m.collections
      .filter((c) => !config.collections.has(c))
      .map((c) => `${basename(m.file)}: collections: "${c}" is not declared in ${where}'s collections`),
  );
}

/** Count estimates of the touched collections; a collection that does not exist yet holds 0. */
async function estimate(
  config: ResolvedConfig,
  store: Store,
  names: readonly string[],
): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const name of names) {
    const spec = config.collections.get(name)?.spec;
    if (!spec) {
      out.set(name, 0);
      continue;
    }
    try {
      out.set(name, await store.collection(spec).count({ estimate: true }));
    } catch (error) {
      if (!isStewardError(error, 'collection.not-found')) throw error;
      out.set(name, 0);
    }
  }
  return out;
}
