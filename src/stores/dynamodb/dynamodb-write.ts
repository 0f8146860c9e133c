import type { WriteRequest } from '@aws-sdk/client-dynamodb';
import { type DocKey, isDocKey, keyId, type WriteOp, type WriteResult } from '../store.js';
import { batchWrite, requestKey } from './batch-write.js';
import { batchCallsInFlight, mapLimit } from './concurrency.js';
import {
  applyConditional,
  put,
  transactInsert,
  transactPatch,
  transactReplace,
  type WriteTarget,
} from './conditional-write.js';
import { isFatal, toStewardError } from './dynamodb-errors.js';
import { ExpressionBuilder } from './expression-builder.js';
import type { Item } from './json-values.js';
import { runTransaction, type TransactEntry, transactGroups } from './transact-write.js';

/** Conditional writes in flight at once for one `write` call. */
const writeConcurrency = 16;

/**
 * Runs a `write` call's operations and returns one result per operation, in order.
 *
 * Plain upserts (replace with upsert, no expectation, no discriminator to protect) go through
 * BatchWriteItem, 25 a call, with UnprocessedItems retried. Conditional replaces, inserts and
 * patches (replaces and patches with an expectation) of distinct keys go in TransactWriteItems
 * calls of up to 100 (as many at once as `transactionsInFlight` allows: one on DynamoDB Local):
 * one round trip for many conditions. A
 * group of one goes as its single conditional call instead. A transaction cancelled only because
 * inserts met existing keys marks those `exists` and retries the rest together; one cancelled for
 * anything else is rerun one operation at a time, which gives each its own outcome. Everything
 * else needs a condition and goes through single conditional calls, several at once. Operations
 * on the same key run one after the other in the order given, so a batch may insert a document
 * and then patch it.
 * Unreachable store, bad credentials or a missing table stop the whole call with an error;
 * anything else fails only its operation, with DynamoDB's reason.
 */
export async function runWrites(t: WriteTarget, ops: readonly WriteOp[]): Promise<WriteResult[]> {
  const results = new Array<WriteResult>(ops.length);
  const byKey = new Map<string, number[]>();
  ops.forEach((op, index) => {
    const key = opKey(op, t.mapper.mapping.keyField);
    const id = key === undefined ? `#${index}` : keyId(key);
    byKey.set(id, [...(byKey.get(id) ?? []), index]);
  });
  const batched: { index: number; item: Item }[] = [];
  const transacted: TransactEntry[] = [];
  const sequences: number[][] = [];
  for (const indexes of byKey.values()) {
    const index = indexes[0] as number;
    const op = ops[index] as WriteOp;
    const item = indexes.length === 1 ? batchable(t, op) : undefined;
    const transact =
      indexes.length === 1 && !item
        ? (transactReplace(t, op) ?? transactInsert(t, op) ?? transactPatch(t, op))
        : undefined;
    if (item) batched.push({ index, item });
    else if (transact)
      transacted.push({
        index,
        item: transact,
        bytes: opBytes(op),
        ...(op.type === 'insert' ? { insert: true } : {}),
      });
    else sequences.push(indexes);
  }
  const one = (i: number) => guarded(t, () => applyConditional(t, ops[i] as WriteOp));
  await Promise.all([
    batchPuts(t, batched, results),
    mapLimit(transactGroups(transacted), batchCallsInFlight, async (group) => {
      // A transaction of one write costs DynamoDB Local about a fifth more than the same
      // conditional PutItem (2,000 lone writes: 1.16-1.50 s of its CPU against 0.97-1.19 s), which
      // also tells the outcome at once: the ledger's lone inserts (checkpoints, audit records,
      // image heads) take that way.
      if (group.length === 1) {
        const { index } = group[0] as TransactEntry;
        results[index] = await one(index);
        return;
      }
      if (await tryTransaction(t, group, results)) return;
      // Entries a cancellation already settled (inserts whose key exists) keep their result.
      const unsettled = group.filter(({ index }) => results[index] === undefined);
      await mapLimit(unsettled, writeConcurrency, async ({ index }) => {
        results[index] = await one(index);
      });
    }),
    mapLimit(sequences, writeConcurrency, async (indexes) => {
      for (const i of indexes) results[i] = await one(i);
    }),
  ]);
  return results;
}

/** An operation's size as a transaction counts it: its document, or a patch's changes. */
function opBytes(op: WriteOp): number {
  if (op.type === 'insert' || op.type === 'replace') return JSON.stringify(op.doc).length;
  if (op.type === 'patch')
    return JSON.stringify([op.key, op.set ?? {}, op.unset ?? [], op.expect ?? {}]).length;
  return JSON.stringify(op.key).length;
}

function opKey(op: WriteOp, keyField: string): DocKey | undefined {
  if (op.type === 'patch' || op.type === 'delete') return op.key;
  const key = op.doc[keyField];
  return isDocKey(key) ? key : undefined;
}

/** The item of an operation that needs no condition, or undefined. */
function batchable(t: WriteTarget, op: WriteOp): Item | undefined {
  if (op.type !== 'replace' || !op.upsert || op.expect || t.mapper.mapping.discriminator) return undefined;
  const item = t.mapper.toItem(op.doc);
  return typeof item === 'string' ? undefined : item;
}

async function batchPuts(t: WriteTarget, entries: { index: number; item: Item }[], results: WriteResult[]) {
  if (entries.length === 0) return;
  const table = t.mapper.mapping.table;
  const keyNames = [
    t.mapper.mapping.partitionKey,
    ...(t.mapper.mapping.sortKey ? [t.mapper.mapping.sortKey.name] : []),
  ];
  const requests: WriteRequest[] = entries.map((e) => ({ PutRequest: { Item: e.item } }));
  let leftovers: WriteRequest[];
  try {
    leftovers = await batchWrite(t.client, table, requests);
  } catch (error) {
    const e = toStewardError(error, t.client.site('BatchWriteItem', table));
    if (isFatal(e)) throw e;
    // A refused batch (an item too large, say) is retried one by one, so each gets its own reason.
    await mapLimit(entries, writeConcurrency, async ({ index, item }) => {
      results[index] = await guarded(t, async () => {
        await put(t, item, undefined, new ExpressionBuilder());
        return { status: 'ok' };
      });
    });
    return;
  }
  const left = new Set(leftovers.map((r) => requestKey(r, keyNames)));
  for (const [i, e] of entries.entries()) {
    const unprocessed = left.has(requestKey(requests[i] as WriteRequest, keyNames));
    results[e.index] = unprocessed
      ? {
          status: 'failed',
          reason: `DynamoDB left the write unprocessed after ${t.client.retry.maxAttempts} attempts (throttled)`,
        }
      : { status: 'ok' };
  }
}

/**
 * Runs a group as one transaction: true when it was written, false when it must be rerun one
 * operation at a time (cancelled, or refused for a reason that is not fatal to the whole call).
 */
async function tryTransaction(t: WriteTarget, group: readonly TransactEntry[], results: WriteResult[]) {
  try {
    return await runTransaction(t, group, results);
  } catch (error) {
    const e = toStewardError(error, t.client.site('TransactWriteItems', t.mapper.mapping.table));
    if (isFatal(e)) throw e;
    return false;
  }
}

/** Runs one operation, turning a non-fatal error into a `failed` result. */
async function guarded(t: WriteTarget, run: () => Promise<WriteResult>): Promise<WriteResult> {
  try {
    return await run();
  } catch (error) {
    const e = toStewardError(error, t.client.site('write', t.mapper.mapping.table));
    if (isFatal(e)) throw e;
    return { status: 'failed', reason: e.message };
  }
}
