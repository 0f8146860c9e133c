import type { Migration } from '../migration.js';
import type { PlanOptions } from '../migration-plan.js';

/**
 * The plan as `migrate plan` shows it and the other stages use it: the pending migrations in order,
 * what each touches and about how many documents, and the plan hash approvals sign.
 */
export interface MigrationPlan {
  readonly hash: string;
  /** The store the plan changes, by its name in the config, and its kind. */
  readonly store: { readonly name: string; readonly kind: string };
  readonly options: PlanOptions;
  readonly migrations: readonly PlannedMigration[];
  /** Every collection the plan touches, with the documents it holds (an estimate). */
  readonly collections: readonly PlannedCollection[];
  /** The documents of the touched collections, summed (an estimate). */
  readonly estimatedDocuments: number;
}

export interface PlannedMigration {
  readonly id: string;
  readonly description: string;
  /** The file, as loaded (absolute). */
  readonly file: string;
  readonly checksum: string;
  readonly fromVersion: number;
  readonly targetVersion: number;
  readonly collections: readonly string[];
  readonly hasDown: boolean;
  readonly operations: readonly string[];
  /** The documents of the collections it touches (an estimate: some may be at the target already). */
  readonly estimatedDocuments: number;
}

export interface PlannedCollection {
  readonly name: string;
  /** Its name in the store. */
  readonly physical: string;
  readonly estimatedDocuments: number;
}

/** Builds the plan view from the pending migrations and the estimates. Pure. */
export function describePlan(input: {
  readonly hash: string;
  readonly store: { readonly name: string; readonly kind: string };
  readonly options: PlanOptions;
  readonly pending: readonly Migration[];
  /** The collections each migration touches, as apply counts them. */
  readonly touched: (m: Migration) => readonly string[];
  readonly physical: (collection: string) => string;
  readonly estimates: ReadonlyMap<string, number>;
}): MigrationPlan {
  const estimate = (name: string) => input.estimates.get(name) ?? 0;
  const migrations = input.pending.map((m) => {
    const collections = input.touched(m);
    return {
      id: m.id,
      description: m.description,
      file: m.file,
      checksum: m.checksum,
      fromVersion: m.fromVersion,
      targetVersion: m.targetVersion,
      collections,
      hasDown: m.down !== undefined,
      operations: (m.operations ?? []).map((op) => op.kind),
      estimatedDocuments: collections.reduce((n, c) => n + estimate(c), 0),
    };
  });
  const names = [...new Set(migrations.flatMap((m) => m.collections))];
  const collections = names.map((name) => ({
    name,
    physical: input.physical(name),
    estimatedDocuments: estimate(name),
  }));
  return {
    hash: input.hash,
    store: input.store,
    options: input.options,
    migrations,
    collections,
    estimatedDocuments: collections.reduce((n, c) => n + c.estimatedDocuments, 0),
  };
}
