import {
  DeleteItemCommand,
  PutItemCommand,
  type TransactWriteItem,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import type { JsonObject, JsonValue } from '../../core/json.js';
import type { DocKey, Expectation, WriteOp, WriteResult } from '../store.js';
import type { DynamoClient } from './dynamodb-client.js';
import { isConditionFailed } from './dynamodb-errors.js';
import { allOf, ExpressionBuilder } from './expression-builder.js';
import type { ItemMapper } from './item-mapping.js';
import { type Item, marshallValue } from './json-values.js';
import { patchProblem } from './patch-paths.js';
import { hasPositionStep, isPathError, patchByRewrite } from './patch-rewrite.js';
import {
  conditionOutcome,
  existingItemCondition,
  expectationCondition,
  itemExists,
  ownedBy,
  storedApart,
  updateExpression,
} from './write-conditions.js';

/**
 * One write operation as one conditional PutItem, UpdateItem or DeleteItem. These are the
 * operations a BatchWriteItem cannot carry (it takes no conditions). Conditional replaces,
 * inserts and patches of distinct keys go in TransactWriteItems first ({@link transactReplace},
 * {@link transactInsert}, {@link transactPatch}); one refused operation aborts a whole transaction, so those land here
 * when theirs is cancelled, as everything else does. SDK errors other than a failed condition
 * are rethrown for the caller to translate.
 */
export interface WriteTarget {
  readonly client: DynamoClient;
  readonly mapper: ItemMapper;
}

/** Applies one operation and says what happened to it. */
export function applyConditional(t: WriteTarget, op: WriteOp): Promise<WriteResult> {
  switch (op.type) {
    case 'insert':
      return insert(t, op.doc);
    case 'replace':
      return replace(t, op);
    case 'patch':
      return patch(t, op);
    case 'delete':
      return remove(t, op);
  }
}

async function insert(t: WriteTarget, doc: JsonObject): Promise<WriteResult> {
  const item = t.mapper.toItem(doc);
  if (typeof item === 'string') return failed(item);
  const b = new ExpressionBuilder();
  const condition = itemExists(t.mapper, b, false);
  try {
    await put(t, item, condition, b);
    return ok;
  } catch (error) {
    if (isConditionFailed(error)) return { status: 'exists' };
    throw error;
  }
}

async function replace(t: WriteTarget, op: WriteOp & { type: 'replace' }): Promise<WriteResult> {
  const item = t.mapper.toItem(op.doc);
  if (typeof item === 'string') return failed(item);
  const b = new ExpressionBuilder();
  const key = op.doc[t.mapper.mapping.keyField] as DocKey;
  const guard = allOf([ownedBy(t.mapper, b), expectationCondition(t.mapper, key, op.expect, b)]);
  // An upsert of a missing document ignores the expectation, as every store does.
  const condition = op.upsert
    ? guard && `${itemExists(t.mapper, b, false)} OR ${guard}`
    : allOf([itemExists(t.mapper, b, true), guard]);
  try {
    await put(t, item, condition, b);
    return ok;
  } catch (error) {
    const outcome = conditionOutcome(t.mapper, error);
    if (!outcome) throw error;
    return op.upsert && outcome.status === 'missing' ? { status: 'exists' } : outcome;
  }
}

/**
 * A conditional replace (not an upsert) as one item of a TransactWriteItems call, with the same
 * condition {@link applyConditional} puts on it; undefined for anything else (or an item that
 * cannot be mapped, which the single path reports). Only a transaction that succeeds is read as
 * these items' outcomes: a cancelled one is rerun one operation at a time, which tells each
 * operation's own outcome.
 */
export function transactReplace(t: WriteTarget, op: WriteOp): TransactWriteItem | undefined {
  if (op.type !== 'replace' || op.upsert || !op.expect) return undefined;
  const item = t.mapper.toItem(op.doc);
  if (typeof item === 'string') return undefined;
  const key = op.doc[t.mapper.mapping.keyField] as DocKey;
  const shape = replaceConditionShape(t.mapper, key, op.expect);
  const condition = shape ? shape.params(op.expect) : freshReplaceCondition(t.mapper, key, op.expect);
  return { Put: { TableName: t.mapper.mapping.table, Item: item, ...condition } };
}

type ConditionParams = {
  ConditionExpression?: string;
  ExpressionAttributeNames?: Record<string, string>;
  ExpressionAttributeValues?: Item;
};

/** A conditional replace's condition, built for this one operation. */
function freshReplaceCondition(mapper: ItemMapper, key: DocKey, expect: Expectation): ConditionParams {
  const b = new ExpressionBuilder();
  const condition = replaceCondition(mapper, key, expect, b);
  return condition ? { ConditionExpression: condition, ...b.params() } : {};
}

/**
 * The item exists, belongs to this entity and meets the expectation. An equality to a value
 * already says the item exists (a comparison with a missing attribute is false), so
 * `attribute_exists` is left out there: a transaction of 100 replaces carries about 3,700 bytes
 * less, for the same outcomes (a failed one is rerun alone, with the full condition of
 * {@link applyConditional}, which tells missing from conflict).
 */
function replaceCondition(
  mapper: ItemMapper,
  key: DocKey,
  expect: Expectation,
  b: ExpressionBuilder,
): string | undefined {
  const implied = expect.value !== undefined && expect.value !== null && !storedApart(mapper, expect.field);
  return allOf([
    implied ? undefined : itemExists(mapper, b, true),
    ownedBy(mapper, b),
    expectationCondition(mapper, key, expect, b),
  ]);
}

/**
 * The condition of a replace, by the shape of its expectation: for one collection and one
 * expected field, the condition's text and names are the same for every document (an equality,
 * a null-or-missing or a missing check), and only an equality's value differs. A migration's
 * batch of 1,000 replaces built the same text 1,000 times (issue 17); each shape is now built
 * once per mapper, and every operation gets its own values. A field stored apart from the
 * document (see {@link expectationCondition}) is decided from the key, so it has no shape.
 */
interface ReplaceConditionShape {
  params(expect: Expectation): ConditionParams;
}

const replaceShapes = new WeakMap<ItemMapper, Map<string, ReplaceConditionShape>>();

function replaceConditionShape(
  mapper: ItemMapper,
  key: DocKey,
  expect: Expectation,
): ReplaceConditionShape | undefined {
  if (storedApart(mapper, expect.field)) return undefined;
  const kind = expect.value === undefined ? 'absent' : expect.value === null ? 'null' : 'equal';
  let shapes = replaceShapes.get(mapper);
  if (!shapes) {
    shapes = new Map();
    replaceShapes.set(mapper, shapes);
  }
  const id = `${kind}:${expect.field}`;
  let shape = shapes.get(id);
  if (!shape) {
    shape = buildShape(mapper, key, expect, kind === 'equal');
    shapes.set(id, shape);
  }
  return shape;
}

function buildShape(
  mapper: ItemMapper,
  key: DocKey,
  expect: Expectation,
  equal: boolean,
): ReplaceConditionShape {
  const b = new ExpressionBuilder();
  const condition = replaceCondition(mapper, key, expect, b) as string;
  const { ExpressionAttributeNames: names, ExpressionAttributeValues: values } = b.params();
  // An equality's value is the last placeholder the builder gave out (the expectation comes last).
  const slot = equal ? b.lastValue() : undefined;
  const fixed = { ConditionExpression: condition, ...(names ? { ExpressionAttributeNames: names } : {}) };
  if (!slot)
    return { params: () => ({ ...fixed, ...(values ? { ExpressionAttributeValues: values } : {}) }) };
  return {
    params: (e) => ({
      ...fixed,
      ExpressionAttributeValues: { ...values, [slot]: marshallValue(e.value as JsonValue) },
    }),
  };
}

/**
 * An insert as one item of a TransactWriteItems call, with the condition {@link applyConditional}
 * puts on it (no item at the key); undefined for anything else or an item that cannot be mapped.
 * A cancelled transaction names the inserts whose key existed (`exists`), so the rest can be
 * retried together.
 */
export function transactInsert(t: WriteTarget, op: WriteOp): TransactWriteItem | undefined {
  if (op.type !== 'insert') return undefined;
  const item = t.mapper.toItem(op.doc);
  if (typeof item === 'string') return undefined;
  const b = new ExpressionBuilder();
  const condition = itemExists(t.mapper, b, false);
  return {
    Put: { TableName: t.mapper.mapping.table, Item: item, ConditionExpression: condition, ...b.params() },
  };
}

async function patch(t: WriteTarget, op: WriteOp & { type: 'patch' }): Promise<WriteResult> {
  const key = t.mapper.key(op.key);
  if (typeof key === 'string') return failed(key);
  const problem = patchProblem(t.mapper.mapping, op);
  if (problem) return failed(problem);
  if (patchPaths(op).some(hasPositionStep)) return patchByRewrite(t, op, key);
  const { update, condition, b } = patchExpressions(t, op);
  try {
    await t.client.send((sdk) =>
      sdk.send(
        new UpdateItemCommand({
          TableName: t.mapper.mapping.table,
          Key: key,
          ...(update ? { UpdateExpression: update } : {}),
          ConditionExpression: condition,
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          ...b.params(),
        }),
      ),
    );
    return ok;
  } catch (error) {
    if (isPathError(error)) return patchByRewrite(t, op, key);
    const outcome = conditionOutcome(t.mapper, error);
    if (!outcome) throw error;
    return outcome;
  }
}

/**
 * A patch with an expectation as one Update of a TransactWriteItems call, with the same update
 * and condition {@link applyConditional} gives it; undefined for anything else, and for a patch
 * the single path treats apart (an unmappable key, a refused path, positional steps, nothing to
 * update). As for replaces, only a transaction that succeeds is read as these items' outcomes: a
 * cancelled one (a failed condition, or DynamoDB refusing a path the rewrite handles) is rerun one
 * operation at a time, which tells each its own outcome.
 */
export function transactPatch(t: WriteTarget, op: WriteOp): TransactWriteItem | undefined {
  if (op.type !== 'patch' || !op.expect) return undefined;
  const key = t.mapper.key(op.key);
  if (typeof key === 'string' || patchProblem(t.mapper.mapping, op)) return undefined;
  if (patchPaths(op).some(hasPositionStep)) return undefined;
  const { update, condition, b } = patchExpressions(t, op);
  if (!update || !condition) return undefined;
  return {
    Update: {
      TableName: t.mapper.mapping.table,
      Key: key,
      UpdateExpression: update,
      ConditionExpression: condition,
      ...b.params(),
    },
  };
}

function patchPaths(op: WriteOp & { type: 'patch' }): string[] {
  return [...Object.keys(op.set ?? {}), ...(op.unset ?? []), ...(op.expect ? [op.expect.field] : [])];
}

/** A patch's UpdateExpression (empty when it changes nothing) and condition, in one builder. */
function patchExpressions(t: WriteTarget, op: WriteOp & { type: 'patch' }) {
  const b = new ExpressionBuilder();
  const sets = Object.entries(op.set ?? {})
    .filter(([path]) => path !== t.mapper.mapping.keyField)
    .map(([path, value]) => `${b.path(path)} = ${b.value(value)}`);
  const removes = (op.unset ?? []).map((path) => b.path(path));
  const update = updateExpression(sets, removes);
  const condition = existingItemCondition(t.mapper, b, op.key, op.expect);
  return { update, condition, b };
}

async function remove(t: WriteTarget, op: WriteOp & { type: 'delete' }): Promise<WriteResult> {
  const key = t.mapper.key(op.key);
  if (typeof key === 'string') return failed(key);
  const b = new ExpressionBuilder();
  const condition = existingItemCondition(t.mapper, b, op.key, op.expect);
  try {
    await t.client.send((sdk) =>
      sdk.send(
        new DeleteItemCommand({
          TableName: t.mapper.mapping.table,
          Key: key,
          ConditionExpression: condition,
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          ...b.params(),
        }),
      ),
    );
    return ok;
  } catch (error) {
    const outcome = conditionOutcome(t.mapper, error);
    if (!outcome) throw error;
    return outcome;
  }
}

/** PutItem with an optional condition. */
export async function put(t: WriteTarget, item: Item, condition: string | undefined, b: ExpressionBuilder) {
  await t.client.send((sdk) =>
    sdk.send(
      new PutItemCommand({
        TableName: t.mapper.mapping.table,
        Item: item,
        ...(condition
          ? { ConditionExpression: condition, ReturnValuesOnConditionCheckFailure: 'ALL_OLD' }
          : {}),
        ...(condition ? b.params() : {}),
      }),
    ),
  );
}

const ok: WriteResult = { status: 'ok' };

function failed(reason: string): WriteResult {
  return { status: 'failed', reason };
}
