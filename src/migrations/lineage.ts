/**
 * What a downstream pipeline needs to know after apply or rollback: which collections changed,
 * from which schema version to which, by which migration and plan. One per migration and
 * direction, emitted as a `lineage` migration event when the stage has finished; steward's
 * OpenLineage emitter (`signals/openlineage-runs.ts`) turns it into the COMPLETE RunEvent of the
 * run that a `started` event opened.
 */
export interface LineageEvent {
  readonly type: 'migration.applied' | 'migration.rolled-back';
  readonly migration: string;
  readonly planHash: string;
  readonly collections: readonly LineageCollection[];
  /** ISO 8601 time the stage finished. */
  readonly at: string;
  /** Who ran it, as the audit log records them. */
  readonly actor?: string;
  /** Where the audit log ended once the stage was recorded, `<seq>:<hash>` (see `audit-head-ref.ts`). */
  readonly auditHead?: string;
}

export interface LineageCollection {
  readonly collection: string;
  /** The store holding it, by its name in the config. */
  readonly store: string;
  readonly fromVersion: number;
  readonly toVersion: number;
  /** Documents rewritten in this collection. */
  readonly documents: number;
}

/**
 * That apply or rollback of one migration has started (or resumed): emitted as a `started`
 * migration event before its first step, so lineage can open a run with the collections it will
 * write. Pure data.
 */
export interface MigrationStarted {
  readonly direction: 'up' | 'down';
  readonly migration: string;
  readonly planHash: string;
  /** The store holding the collections, by its name in the config. */
  readonly store: string;
  readonly collections: readonly string[];
  readonly fromVersion: number;
  readonly toVersion: number;
  /** ISO 8601. */
  readonly at: string;
}

/** The lineage event of one migration's apply or rollback. Pure. */
export function lineageEvent(input: {
  readonly direction: 'up' | 'down';
  readonly migration: { readonly id: string; readonly fromVersion: number; readonly targetVersion: number };
  readonly planHash: string;
  /** Each collection the stage rewrote, its store and how many documents changed. */
  readonly collections: readonly {
    readonly collection: string;
    readonly store: string;
    readonly documents: number;
  }[];
  readonly at: string;
  readonly actor?: string;
  readonly auditHead?: string;
}): LineageEvent {
  const { direction, migration } = input;
  const [from, to] =
    direction === 'up'
      ? [migration.fromVersion, migration.targetVersion]
      : [migration.targetVersion, migration.fromVersion];
  return {
    type: direction === 'up' ? 'migration.applied' : 'migration.rolled-back',
    migration: migration.id,
    planHash: input.planHash,
    collections: input.collections.map((c) => ({ ...c, fromVersion: from, toVersion: to })),
    at: input.at,
    ...(input.actor === undefined ? {} : { actor: input.actor }),
    ...(input.auditHead === undefined ? {} : { auditHead: input.auditHead }),
  };
}
