import type { ResolvedConfig } from '../../config/resolved-config.js';
import type { MigrationPlan } from '../../migrations/plan/migration-plan-view.js';
import { actorOf, type RunOptions } from '../run-options.js';
import { withMigrations } from './with-migrations.js';

/**
 * The current plan: the pending migrations in order, the collections and estimated documents each
 * touches, and the plan hash over the migrations, the target store and the options. The dry run
 * reports on it and approvals sign it. Recorded in the audit log (`migrate.plan`).
 * `migration.invalid` when a migration disagrees with its contract or the config, or the
 * changelog disagrees with the files.
 */
export function migratePlan(config: ResolvedConfig, options: RunOptions = {}): Promise<MigrationPlan> {
  return withMigrations(config, actorOf(options), async (m) => {
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
    return plan;
  });
}

/**
 * The current plan, as {@link migratePlan} gives it, without recording it: for readers (the
 * server's GET routes, a service's view) that must write nothing.
 */
export function migratePlanRead(config: ResolvedConfig, options: RunOptions = {}): Promise<MigrationPlan> {
  return withMigrations(config, actorOf(options), async (m) => (await m.loadPlan()).plan);
}
