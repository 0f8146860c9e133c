import { dirname } from 'node:path';
import type { ResolvedConfig } from '../../config/resolved-config.js';
import { ExitCode, StewardError } from '../../errors/steward-error.js';
import { type Ledger, openLedger } from '../../ledger/ledger.js';
import { touchedCollections } from '../../migrations/apply/migration-collections.js';
import { loadMigrations } from '../../migrations/load-migrations.js';
import type { Migration } from '../../migrations/migration.js';
import { type LoadedPlan, loadPlan } from '../../migrations/plan/load-plan.js';
import type { MigrationPlan } from '../../migrations/plan/migration-plan-view.js';
import type { Store } from '../../stores/store.js';
import type { Command, CommandContext } from '../command.js';
import type { Output } from '../output.js';
import { actorFor } from '../with-ledger.js';
import { configFor, withStores } from '../with-stores.js';

/** `steward migrate plan`: the pending migrations, what they touch, and the plan hash. */
export const migratePlanCommand: Command = {
  path: ['migrate', 'plan'],
  summary: 'list the pending migrations, the documents they touch and the plan hash',
  description:
    'Loads the migrations folder (migrations.dir) and the contracts, reads the changelog, and prints\n' +
    'the pending migrations in order with the collections and estimated documents each touches, and\n' +
    'the plan hash: over the migrations, the target store and the options. The dry run reports on it\n' +
    'and approvals sign it. Recorded in the audit log.\n' +
    'Exit 2 when a migration disagrees with its contract or the config, or the changelog disagrees\n' +
    'with the files (an applied migration edited or gone, a pending one out of order).',
  async run(ctx) {
    return withMigrations(ctx, async (m) => {
      const { plan } = await m.loadPlan();
      await m.ledger.audit.append({
        action: 'migrate.plan',
        subject: plan.hash,
        details: {
          migrations: plan.migrations.map((p) => p.id),
          store: plan.store.name,
          estimatedDocuments: plan.estimatedDocuments,
        },
      });
      ctx.output.result(plan);
      renderPlan(ctx.output, plan);
      return ExitCode.ok;
    });
  },
};

/** What every `migrate` command works with: the config, the migration files, the ledger and the stores. */
export interface MigrationsRun {
  readonly config: ResolvedConfig;
  readonly migrations: readonly Migration[];
  readonly ledger: Ledger;
  /** The folder reports are written under by default: the config's folder. */
  readonly projectDir: string;
  storeFor(name: string): Store;
  /** The current plan (see `loadPlan`); refuses with exit 2 on any problem. */
  loadPlan(): Promise<LoadedPlan>;
}

/**
 * Loads the config and the migration files, opens the ledger's store and every store holding a
 * collection a migration names, and the ledger; runs `work`; closes the stores.
 */
export async function withMigrations<T>(
  ctx: CommandContext,
  work: (run: MigrationsRun) => Promise<T>,
): Promise<T> {
  const config = await configFor(ctx);
  const migrations = await loadMigrations(config.migrations.dir);
  const names = new Set([config.ledger.store]);
  for (const m of migrations)
    for (const c of touchedCollections(m)) {
      const store = config.collections.get(c)?.store;
      if (store) names.add(store);
    }
  return withStores(config, [...names], async (stores) => {
    const ledger = await openLedger(stores.get(config.ledger.store)!, {
      actor: actorFor(ctx.env),
      namespacePrefix: config.ledger.prefix,
    });
    const storeFor = (name: string): Store => {
      const store = stores.get(name);
      if (!store)
        throw new StewardError('usage', `no store named "${name}" in ${config.file ?? 'the config'}`);
      return store;
    };
    return work({
      config,
      migrations,
      ledger,
      projectDir: config.file ? dirname(config.file) : ctx.cwd,
      storeFor,
      loadPlan: () => loadPlan({ config, ledger, migrations, storeFor }),
    });
  });
}

function renderPlan(output: Output, plan: MigrationPlan): void {
  if (plan.migrations.length === 0) {
    output.line(`nothing pending (plan ${plan.hash})`);
    return;
  }
  output.line(`plan ${plan.hash}`);
  output.line(
    `  store ${plan.store.name} (${plan.store.kind}), canary ${plan.options.canaryPercent}%, batches of ${plan.options.batchSize}`,
  );
  output.line('');
  const width = Math.max(...plan.migrations.map((m) => m.id.length));
  for (const m of plan.migrations) {
    output.line(
      `${m.id.padEnd(width)}  v${m.fromVersion} -> v${m.targetVersion}  ${m.collections.join(', ')}  ` +
        `~${m.estimatedDocuments} documents${m.hasDown ? '' : '  (no down: rollback restores before-images)'}`,
    );
    output.line(`${' '.repeat(width)}  ${m.description}`);
  }
  output.line('');
  output.line(
    `about ${plan.estimatedDocuments} documents in ${plan.collections.map((c) => `${c.name} (~${c.estimatedDocuments})`).join(', ')}`,
  );
  output.line(`next: steward migrate dry-run`);
}
