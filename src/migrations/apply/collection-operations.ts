import { isStewardError } from '../../errors/steward-error.js';
import type { Collection } from '../../stores/store.js';
import type { CollectionOperation, Migration } from '../migration.js';
import type { ApplyContext } from './apply-context.js';
import type { MigrationProgress, OperationResult } from './apply-state.js';

/**
 * Runs a migration's collection operations in order, checkpointing after each, from the first
 * one not done yet. What each does:
 * - `copy-collection`: the store copies `from` into `to` through the seam (a rerun after a crash
 *   copies again: the copy drops a half-made target first). Apply refuses to start when `to`
 *   already holds documents, so rollback can drop it without losing anything.
 * - `rename-field`: nothing here; it is part of every document's rewrite, with its before-image,
 *   so it is resumable and exactly reversible like the rest.
 * - `create-index`, `drop-index`: skipped and reported: the store seam has no index operations
 *   yet, on any store. Create or drop the index with the store's own tools.
 */
export async function runOperations(
  ctx: ApplyContext,
  migration: Migration,
  start: MigrationProgress,
): Promise<MigrationProgress> {
  let progress = start;
  const operations = migration.operations ?? [];
  for (let i = progress.operations.length; i < operations.length; i++) {
    const result = await ctx.throttle.during(() => runOperation(ctx, operations[i]!));
    progress = { ...progress, operations: [...progress.operations, result] };
    await ctx.save(progress);
  }
  return progress;
}

async function runOperation(ctx: ApplyContext, op: CollectionOperation): Promise<OperationResult> {
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
    case 'drop-index':
      return {
        operation,
        status: 'skipped',
        note: "steward's store seam cannot create or drop indexes; do it with the store's own tools",
      };
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
