import { GetItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { expectationHolds } from '../../core/expectation.js';
import { arrayIndex } from '../../core/json.js';
import type { WriteOp, WriteResult } from '../store.js';
import type { WriteTarget } from './conditional-write.js';
import { errorName, isConditionFailed } from './dynamodb-errors.js';
import { ExpressionBuilder } from './expression-builder.js';
import type { Item } from './json-values.js';
import { applyPatch } from './patch-paths.js';
import { existingItemCondition, updateExpression } from './write-conditions.js';

/** Rewrites tried before a document that keeps changing under a patch is reported a conflict. */
const rewriteAttempts = 4;

/**
 * True when DynamoDB refused an update's paths: `SET a.b` where `a` is missing or not a map, or
 * two paths overlapping (`a` and `a.b`). MongoDB and SQLite accept these patches, so they get
 * {@link patchByRewrite} instead of an error.
 */
export function isPathError(error: unknown): boolean {
  if (errorName(error) !== 'ValidationException') return false;
  return /document path|paths overlap/i.test((error as Error).message);
}

/**
 * A patch DynamoDB cannot express in place, done as optimistic read-modify-write: read the item
 * (consistently), apply the patch in memory with steward's reference semantics, and write back
 * only the top-level attributes it touched, on condition that they (and the expectation) still
 * hold what was read. When someone wrote in between, the condition fails and it starts over.
 */
export async function patchByRewrite(
  t: WriteTarget,
  op: WriteOp & { type: 'patch' },
  key: Item,
): Promise<WriteResult> {
  for (let attempt = 0; attempt < rewriteAttempts; attempt++) {
    const read = await t.client.send((sdk) =>
      sdk.send(new GetItemCommand({ TableName: t.mapper.mapping.table, Key: key, ConsistentRead: true })),
    );
    const item = read.Item;
    if (!item || !t.mapper.owns(item)) return { status: 'missing' };
    const current = t.mapper.toDoc(item);
    if (op.expect && !expectationHolds(current, op.expect)) return { status: 'conflict' };
    const { doc, touched } = applyPatch(current, op, t.mapper.mapping.keyField);
    const b = new ExpressionBuilder();
    const sets: string[] = [];
    const removes: string[] = [];
    const unchanged: string[] = [];
    const held = (top: string) => {
      const old = item[top];
      const name = b.name(top);
      unchanged.push(old === undefined ? `attribute_not_exists(${name})` : `${name} = ${b.raw(old)}`);
    };
    for (const top of touched) {
      const name = b.name(top);
      const next = doc[top];
      if (next !== undefined) sets.push(`${name} = ${b.value(next)}`);
      else if (item[top] !== undefined) removes.push(name);
      held(top);
    }
    if (sets.length === 0 && removes.length === 0) return { status: 'ok' };
    // An expectation inside an array (`lines.3.total`) has no DynamoDB path that cannot also name a
    // map key, so it is checked above, on the item read, and held by its whole attribute here.
    const expectTop = op.expect && hasPositionStep(op.expect.field) ? topOf(op.expect.field) : undefined;
    if (expectTop !== undefined && !touched.includes(expectTop)) held(expectTop);
    const expect = expectTop === undefined ? op.expect : undefined;
    const update = updateExpression(sets, removes);
    const condition = existingItemCondition(t.mapper, b, op.key, expect, unchanged);
    try {
      await t.client.send((sdk) =>
        sdk.send(
          new UpdateItemCommand({
            TableName: t.mapper.mapping.table,
            Key: key,
            UpdateExpression: update,
            ConditionExpression: condition,
            ...b.params(),
          }),
        ),
      );
      return { status: 'ok' };
    } catch (error) {
      if (!isConditionFailed(error)) throw error;
    }
  }
  return { status: 'conflict' };
}

/**
 * True when a dotted path has a whole-number step after its first (`lines.3.total`): a position in
 * an array in steward's paths (see `readPath`). DynamoDB writes those `lines[3]`, but the same
 * step may also name a map key, which only the stored item tells; such patches are rewritten.
 */
export function hasPositionStep(path: string): boolean {
  return path
    .split('.')
    .slice(1)
    .some((step) => arrayIndex(step) !== undefined);
}

function topOf(path: string): string {
  return path.split('.')[0] ?? path;
}
