import type { LoadedContracts } from '../../contracts/load-contracts.js';
import { type ChangelogRecord, countsAsApplied } from '../changelog.js';
import type { Migration } from '../migration.js';
import { type PlanOptions, pendingMigrations, planHash } from '../migration-plan.js';
import { checkMigrationsAgainstContracts } from '../parse-migration.js';
import { type ApplyRefusal, refusal } from './apply-refusal.js';
import type { ApplyState } from './apply-state.js';
import { holdsDocuments, indexOperationProblems } from './collection-operations.js';
import { copiesOf, renamesOf, touchedCollections } from './migration-collections.js';
import type { MigrationTarget } from './migration-target.js';

/** What apply will do: run a plan (fresh or resumed), nothing, or refuse. */
export type ApplyDecision =
  | { readonly kind: 'run'; readonly state: ApplyState; readonly resumed: boolean }
  | { readonly kind: 'nothing' }
  | { readonly kind: 'refused'; readonly refusal: ApplyRefusal };

export interface PlanInput {
  readonly migrations: readonly Migration[];
  readonly records: readonly ChangelogRecord[];
  /** Apply's checkpoint, when a run is unfinished. */
  readonly saved: ApplyState | undefined;
  readonly target: MigrationTarget;
  readonly contracts: LoadedContracts;
  readonly options: PlanOptions;
  readonly now: string;
  /** The id a fresh run gets (a resumed run keeps its own). */
  readonly runId: string;
}

/**
 * Decides what apply runs. An unfinished run (a checkpoint) is resumed with the plan it was
 * approved as, provided the plan hash over the current files still equals the approved one; a
 * fresh run plans the pending migrations. Either way an applied migration whose file changed
 * refuses everything (`changelog`), as does an unfinished rollback.
 */
export async function decideApply(input: PlanInput): Promise<ApplyDecision> {
  const applied = input.records
    .filter(countsAsApplied)
    .map((r) => ({ id: r.id, checksum: r.checksum, appliedAt: r.appliedAt ?? r.startedAt }));
  const { pending, problems } = pendingMigrations(input.migrations, applied);
  if (problems.length > 0)
    return refused(
      'changelog',
      'the migration files and the changelog disagree; nothing was applied.',
      problems.map((p) => p.message),
    );
  const rolling = input.records.find((r) => r.status === 'rolling-back');
  if (rolling)
    return refused(
      'rolling-back',
      `the rollback of ${rolling.id} has not finished; run \`steward migrate rollback\` to finish it first.`,
    );
  if (input.saved) return resumePlan(input, input.saved);
  const applying = input.records.find((r) => r.status === 'applying');
  if (applying)
    return refused(
      'checkpoint-missing',
      `${applying.id} is applying according to the changelog, but apply's checkpoint is gone, so it cannot be resumed; ` +
        `undo what was done with \`steward migrate rollback --to ${applying.id}\`, then apply again.`,
    );
  if (pending.length === 0) return { kind: 'nothing' };
  const contractProblems = checkMigrationsAgainstContracts(pending, input.contracts.contracts);
  if (contractProblems.length > 0)
    return refused(
      'contracts',
      'the pending migrations and the contracts disagree; nothing was applied.',
      contractProblems.map((p) => `${p.file}: ${p.path}: ${p.message}`),
    );
  const operationProblems = await checkOperations(pending, input.target);
  if (operationProblems.length > 0)
    return refused(
      'operations',
      'collection operations of the pending migrations cannot be done safely; nothing was applied.',
      operationProblems,
    );
  const hash = planHashOf(pending, input.target, input.options);
  const plan = { hash, ids: pending.map((m) => m.id), options: input.options };
  return { kind: 'run', state: { plan, index: 0, startedAt: input.now, run: input.runId }, resumed: false };
}

/** The plan hash of migrations to be applied to the target with these options. */
export function planHashOf(
  migrations: readonly Migration[],
  target: MigrationTarget,
  options: PlanOptions,
): string {
  const collections: Record<string, string> = {};
  for (const m of migrations)
    for (const name of touchedCollections(m)) collections[name] = target.collection(name).spec.name;
  return planHash({
    migrations,
    store: { name: target.storeName, kind: target.store.kind, collections },
    options: { canaryPercent: options.canaryPercent, batchSize: options.batchSize },
  });
}

function resumePlan(input: PlanInput, saved: ApplyState): ApplyDecision {
  const byId = new Map(input.migrations.map((m) => [m.id, m]));
  const missing = saved.plan.ids.filter((id) => !byId.has(id));
  if (missing.length > 0)
    return refused(
      'changelog',
      `the run in progress applies ${missing.join(', ')}, whose file is gone; restore it, or roll back.`,
    );
  const migrations = saved.plan.ids.map((id) => byId.get(id)!);
  const hash = planHashOf(migrations, input.target, saved.plan.options);
  if (hash !== saved.plan.hash)
    return refused(
      'plan-changed',
      `the run in progress was approved as plan ${saved.plan.hash}, but its migrations now hash to ${hash}: ` +
        'a migration file of the plan was edited after the run started. Put the file back, or roll back and plan again.',
    );
  return { kind: 'run', state: saved, resumed: true };
}

/**
 * Renames of a key or version field, copies onto a collection holding documents, and index
 * operations the store cannot do.
 */
async function checkOperations(migrations: readonly Migration[], target: MigrationTarget): Promise<string[]> {
  const problems: string[] = [];
  for (const m of migrations) {
    for (const name of new Set(
      (m.operations ?? []).flatMap((op) => (op.kind === 'rename-field' ? [op.collection] : [])),
    )) {
      const c = target.collection(name);
      for (const op of renamesOf(m, name))
        for (const field of [op.from, op.to])
          if ([c.spec.keyField, c.versionField].some((f) => field === f || field.startsWith(`${f}.`)))
            problems.push(
              `${m.id}: rename-field ${name}.${op.from} -> ${op.to} would move the key or version field; write it as up() instead`,
            );
    }
    for (const op of copiesOf(m))
      if (await holdsDocuments(target.collection(op.to).handle))
        problems.push(
          `${m.id}: copy-collection ${op.from} -> ${op.to}: ${op.to} already holds documents; drop it or copy elsewhere`,
        );
  }
  problems.push(...(await indexOperationProblems(migrations, target)));
  return problems;
}

function refused(
  reason: ApplyRefusal['reason'],
  message: string,
  problems: readonly string[] = [],
): ApplyDecision {
  return { kind: 'refused', refusal: refusal(reason, message, problems) };
}
