import type { MigrationPlan } from '../../migrations/plan/migration-plan-view.js';
import type { MigrationsState } from '../../migrations/plan/migrations-state.js';

/** The owners of the collections the plan rewrites, for approval policies with `includeOwner`. */
export function planOwners(plan: MigrationPlan, state: MigrationsState): string[] {
  const names = new Set(plan.migrations.flatMap((m) => m.collections));
  return [...new Set(state.contracts.contracts.filter((c) => names.has(c.collection)).map((c) => c.owner))];
}
