import type { OperationResult } from '../apply/apply-state.js';
import { describeOperation, type OperationAt, showIndex } from '../apply/collection-operations.js';
import { readIndexImage } from '../apply/index-images.js';
import type { CollectionOperation, Migration } from '../migration.js';
import type { RollbackContext } from './rollback-context.js';

/**
 * Undoes a migration's collection operations, newest first: copies are dropped; an index apply
 * created is dropped, and one it dropped is created again as its image in the ledger says it was
 * defined (see `index-images.ts`). An index that was already there before apply is left, and an
 * operation apply never reached (no image) is skipped. `rename-field` is undone with the
 * documents, by their before-images. Every step is idempotent, so a rerun after a crash is safe.
 */
export async function reverseOperations(
  ctx: RollbackContext,
  migration: Migration | undefined,
  attempt: number,
): Promise<OperationResult[]> {
  if (!migration)
    return [
      {
        operation: '(unknown)',
        status: 'skipped',
        note: 'the migration file is gone: its operations are unknown, so no copy was dropped and no index restored',
      },
    ];
  const results: OperationResult[] = [];
  const operations = migration.operations ?? [];
  for (let i = operations.length - 1; i >= 0; i--) {
    const at = { migration: migration.id, attempt, operation: i };
    const result = await ctx.throttle.during(() => reverseOperation(ctx, operations[i]!, at));
    if (result) results.push(result);
  }
  return results;
}

async function reverseOperation(
  ctx: RollbackContext,
  op: CollectionOperation,
  at: OperationAt,
): Promise<OperationResult | undefined> {
  const operation = describeOperation(op);
  switch (op.kind) {
    case 'rename-field':
      return undefined;
    case 'copy-collection':
      await ctx.target.store.dropCollection(ctx.target.collection(op.to).spec);
      return { operation, status: 'done', note: `dropped ${op.to}` };
    case 'create-index':
    case 'drop-index': {
      const image = await readIndexImage(ctx.backups, { ...at, collection: op.collection, name: op.name });
      if (!image) return { operation, status: 'skipped', note: 'apply never reached it' };
      const handle = ctx.target.collection(op.collection).handle;
      if (op.kind === 'create-index') {
        if (image.before)
          return { operation, status: 'skipped', note: 'the index was there before apply: kept' };
        await handle.dropIndex(op.name);
        return { operation, status: 'done', note: `dropped index ${op.name}` };
      }
      if (!image.before)
        return { operation, status: 'skipped', note: 'there was no such index before apply' };
      const { fields, unique } = image.before;
      await handle.createIndex({ name: op.name, fields, unique });
      return { operation, status: 'done', note: `re-created ${op.name} ${showIndex(image.before)}` };
    }
  }
}
