import { isStewardError } from '../../errors/steward-error.js';
import { sameIndex } from '../../stores/index-definition.js';
import type { Collection, IndexInfo } from '../../stores/store.js';
import type { CollectionOperation, Migration } from '../migration.js';
import type { ApplyContext } from './apply-context.js';
import type { MigrationProgress, OperationResult } from './apply-state.js';
import { saveIndexImage } from './index-images.js';
import type { MigrationTarget } from './migration-target.js';

/**
 * Runs a migration's collection operations in order, checkpointing after each, from the first
 * one not done yet. What each does:
 * - `copy-collection`: the store copies `from` into `to` through the seam (a rerun after a crash
 *   copies again: the copy drops a half-made target first). Apply refuses to start when `to`
 *   already holds documents, so rollback can drop it without losing anything.
 * - `rename-field`: nothing here; it is part of every document's rewrite, with its before-image,
 *   so it is resumable and exactly reversible like the rest.
 * - `create-index`, `drop-index`: through the seam (`Collection.createIndex`, `dropIndex`), both
 *   idempotent, so a rerun after a crash is safe. First the index's definition as it stands is
 *   saved as an image in the ledger (see `index-images.ts`), which rollback undoes from. Apply
 *   refuses at plan time on a store that has no indexes (see {@link indexOperationProblems}).
 */
export async function runOperations(
  ctx: ApplyContext,
  migration: Migration,
  start: MigrationProgress,
): Promise<MigrationProgress> {
  let progress = start;
  const operations = migration.operations ?? [];
  for (let i = progress.operations.length; i < operations.length; i++) {
    const op = operations[i]!;
    const at = { migration: migration.id, attempt: start.attempt, operation: i };
    const result = await ctx.throttle.during(() => runOperation(ctx, op, at));
    progress = { ...progress, operations: [...progress.operations, result] };
    await ctx.save(progress);
  }
  return progress;
}

/** Which operation of which apply attempt: where its index image is kept. */
export interface OperationAt {
  readonly migration: string;
  readonly attempt: number;
  /** Position in the migration's `operations`. */
  readonly operation: number;
}

async function runOperation(
  ctx: ApplyContext,
  op: CollectionOperation,
  at: OperationAt,
): Promise<OperationResult> {
  const operation = describeOperation(op);
  switch (op.kind) {
    case 'copy-collection': {
      const from = ctx.target.collection(op.from);
      const to = ctx.target.collection(op.to);
      const { copied } = await ctx.target.store.copyCollection(from.spec, to.spec);
      return { operation, status: 'done', note: `${copied} document(s) copied` };
    }
    case 'rename-field':
      return { operation, status: 'per-document', note: 'renamed in each document, with its before-image' };
    case 'create-index':
    case 'drop-index': {
      const handle = ctx.target.collection(op.collection).handle;
      const before = (await handle.listIndexes()).find((index) => index.name === op.name) ?? null;
      const image = { ...at, collection: op.collection, name: op.name, before, savedAt: ctx.now() };
      await saveIndexImage(ctx.backups, image);
      if (op.kind === 'drop-index') {
        await handle.dropIndex(op.name);
        return {
          operation,
          status: 'done',
          note: before ? `dropped; was ${showIndex(before)}` : 'no such index',
        };
      }
      await handle.createIndex({ name: op.name, fields: op.fields, unique: op.unique ?? false });
      return { operation, status: 'done', note: before ? 'already there' : `created ${showIndex(op)}` };
    }
  }
}

/** An index definition for reports: `(status, owner.team) unique`. */
export function showIndex(index: { readonly fields: readonly string[]; readonly unique?: boolean }): string {
  return `(${index.fields.join(', ')})${index.unique ? ' unique' : ''}`;
}

/**
 * Why the index operations of the pending migrations cannot run, checked before anything is
 * applied: the store has no secondary indexes (DynamoDB: a GSI is provisioned with AWS tooling),
 * or a `create-index` names an index that will exist then with another definition. The
 * operations are followed in order over the indexes as they stand, so a migration may drop an
 * index and create it anew. Empty when they can run.
 */
export async function indexOperationProblems(
  migrations: readonly Migration[],
  target: MigrationTarget,
): Promise<string[]> {
  const problems: string[] = [];
  const indexes = new Map<string, Map<string, IndexInfo>>();
  const indexesOf = async (collection: string) => {
    let known = indexes.get(collection);
    if (!known) {
      const listed = await indexesOrNone(target.collection(collection).handle);
      known = new Map(listed.map((index) => [index.name, index]));
      indexes.set(collection, known);
    }
    return known;
  };
  for (const m of migrations) {
    for (const op of m.operations ?? []) {
      if (op.kind !== 'create-index' && op.kind !== 'drop-index') continue;
      const what = `${m.id}: ${describeOperation(op)}`;
      if (!target.store.capabilities.secondaryIndexes) {
        problems.push(
          `${what}: store "${target.storeName}" (${target.store.kind}) cannot create or drop indexes through steward; ` +
            "manage the index with the store's own tooling (on DynamoDB a global secondary index, with AWS tooling) and remove the operation",
        );
        continue;
      }
      const known = await indexesOf(op.collection);
      if (op.kind === 'drop-index') {
        known.delete(op.name);
        continue;
      }
      const taken = known.get(op.name);
      if (taken && !sameIndex(taken, op))
        problems.push(
          `${what}: ${op.collection} already has an index "${op.name}" on ${showIndex(taken)}; drop it first or pick another name`,
        );
      else known.set(op.name, { name: op.name, fields: op.fields, unique: op.unique ?? false });
    }
  }
  return problems;
}

/** A collection's indexes; none when it does not exist yet (a copy's target). */
async function indexesOrNone(collection: Collection): Promise<IndexInfo[]> {
  try {
    return await collection.listIndexes();
  } catch (error) {
    if (isStewardError(error, 'collection.not-found')) return [];
    throw error;
  }
}

/** One line naming an operation, for reports and audit records. */
export function describeOperation(op: CollectionOperation): string {
  switch (op.kind) {
    case 'copy-collection':
      return `copy-collection ${op.from} -> ${op.to}`;
    case 'rename-field':
      return `rename-field ${op.collection}.${op.from} -> ${op.to}`;
    case 'create-index':
      return `create-index ${op.collection}.${op.name} (${op.fields.join(', ')})`;
    case 'drop-index':
      return `drop-index ${op.collection}.${op.name}`;
  }
}

/** True when the collection exists and holds at least one document. */
export async function holdsDocuments(collection: Collection): Promise<boolean> {
  try {
    return (await collection.scan({ limit: 1 })).docs.length > 0;
  } catch (error) {
    if (isStewardError(error, 'collection.not-found')) return false;
    throw error;
  }
}
