import { type Collection as DriverCollection, MongoBulkWriteError } from 'mongodb';
import type { JsonObject } from '../../core/json.js';
import { type CollectionSpec, type DocKey, docKey, keyId, type WriteOp, type WriteResult } from '../store.js';
import { toBsonValue, toJsonDoc } from './ejson.js';
import {
  isBlindUpsert,
  needsCurrent,
  opKey,
  planProbed,
  planUnread,
  planWrite,
  probesKey,
  refusedResult,
  retriesAsReplace,
  type SentPlan,
  sentUnread,
  verifyWrite,
  type WriteMode,
  type WritePlan,
  writeRounds,
} from './write-plan.js';

/**
 * Applies write operations with unordered bulk writes and returns one result per operation.
 *
 * A round is at most three round trips: one `find` of the documents whose state decides the
 * outcome (bulkWrite reports matched and deleted counts for the whole batch, not per operation,
 * so `missing` and `conflict` cannot be told apart afterwards); one `bulkWrite` of the operations
 * that can apply, each still guarded by its key and expectation; and, only when the counts show
 * that a document changed in between, one `find` to see which operations took effect. Replaces
 * that are not upserts skip the first `find` where the server checks conditions atomically
 * ({@link sentUnread}): a round of them alone (a ledger save, a rollback's restores) is one
 * round trip when every one applies.
 *
 * In `keyed` mode, a round with unconditional upserts also probes, in that same `find`, which keys
 * of its inserts and upserts exist, and sends the upserts of new keys as inserts
 * ({@link planProbed}): on FerretDB's SQLite backend every replaceOne is a scan of the collection,
 * an insert is not. Where conditions are atomic (MongoDB) upserts go as replaceOne at once. An
 * upsert whose insert meets a key taken meanwhile is sent again as a replaceOne, in one more
 * round trip, only then.
 *
 * In `keyed` mode (FerretDB 1.x, see {@link WriteMode}) the bulk write filters by key alone and a
 * round whose operations carry expectations always re-reads them after the write.
 */
export async function writeOps(
  collection: DriverCollection,
  spec: CollectionSpec,
  ops: readonly WriteOp[],
  mode: WriteMode = 'conditional',
  bulkChunk = Number.POSITIVE_INFINITY,
): Promise<WriteResult[]> {
  const results: WriteResult[] = new Array(ops.length);
  for (const round of writeRounds(ops, spec)) {
    const roundOps = round.map((index) => ops[index]!);
    // Probing pays only where a replaceOne costs a scan (keyed mode, FerretDB): on an atomic server
    // an upsert by key is one indexed write, and the probe's find would be a round trip more.
    const outcome = await writeRound(collection, spec, roundOps, {
      probe: mode === 'keyed',
      mode,
      bulkChunk,
    });
    round.forEach((index, i) => {
      results[index] = outcome[i]!;
    });
  }
  return results;
}

/**
 * One round: keys are distinct. `probe` false plans every upsert as a replaceOne. In `keyed` mode
 * the operations with an expectation are always re-read after the bulk write (one more `find`).
 * The bulk write goes in chunks of `bulkChunk` operations, one after the other, between the
 * round's one read before and one read after.
 */
async function writeRound(
  collection: DriverCollection,
  spec: CollectionSpec,
  ops: readonly WriteOp[],
  how: { probe: boolean; mode: WriteMode; bulkChunk: number },
): Promise<WriteResult[]> {
  const keyed = how.mode === 'keyed';
  const plans = await planRound(collection, spec, ops, how.probe && ops.some(isBlindUpsert), keyed);
  const sent = plans.flatMap((plan, i) => ('model' in plan ? [{ plan, i }] : []));
  const sentPlans = sent.map(({ plan }) => plan);
  const bulk = await runChunkedBulk(collection, sentPlans, how.bulkChunk);
  const results = plans.map((plan): WriteResult => ('result' in plan ? plan.result : { status: 'ok' }));
  const unsure: number[] = [];
  const retry: number[] = [];
  const duplicates: number[] = [];
  sent.forEach(({ plan, i }, n) => {
    const error = bulk.errors.get(n);
    if (error && retriesAsReplace(plan, error.code)) retry.push(i);
    else if (error) {
      results[i] = refusedResult(plan, error.code, error.message);
      if (results[i]!.status === 'exists') duplicates.push(i);
    } else if (plan.kind !== 'insert') unsure.push(i);
  });
  const guarded = keyed ? unsure.filter((i) => ops[i]!.type !== 'insert' && ops[i]!.expect) : [];
  if (bulk.shortfall !== 0) await verifyUnsure(collection, spec, ops, unsure, results);
  else if (guarded.length > 0) await verifyUnsure(collection, spec, ops, guarded, results);
  await judgeDuplicates(collection, spec, ops, duplicates, results);
  if (retry.length === 0) return results;
  const retryOps = retry.map((i) => ops[i]!);
  const again = await writeRound(collection, spec, retryOps, { ...how, probe: false });
  retry.forEach((i, n) => {
    results[i] = again[n]!;
  });
  return results;
}

/**
 * Reads what the round's plans depend on, in one `find`, and plans each operation. When probing,
 * the keys of inserts and unconditional upserts are read too; when those are all that is read,
 * only their key field comes back.
 */
async function planRound(
  collection: DriverCollection,
  spec: CollectionSpec,
  ops: readonly WriteOp[],
  probing: boolean,
  keyed: boolean,
): Promise<WritePlan[]> {
  const probed = (op: WriteOp) => probing && probesKey(op, spec);
  const unread = (op: WriteOp) => sentUnread(op, keyed ? 'keyed' : 'conditional');
  const readFirst = (op: WriteOp) => needsCurrent(op) && !unread(op);
  const keyOnly = !ops.some(readFirst);
  const read = ops.filter((op) => readFirst(op) || probed(op));
  const current = await readByKey(collection, spec, keysOf(read, spec), keyOnly);
  return ops.map((op) => {
    if (op.type === 'replace' && unread(op)) return planUnread(op, spec);
    const stored = lookup(current, opKey(op, spec));
    return probed(op) ? planProbed(op, spec, stored !== undefined) : planWrite(op, spec, stored, keyed);
  });
}

/** Judges from the stored documents the operations whose effect the bulk counts leave in doubt. */
async function verifyUnsure(
  collection: DriverCollection,
  spec: CollectionSpec,
  ops: readonly WriteOp[],
  unsure: readonly number[],
  results: WriteResult[],
): Promise<void> {
  const unsureOps = unsure.map((i) => ops[i]!);
  const after = await readByKey(collection, spec, keysOf(unsureOps, spec));
  for (const i of unsure) results[i] = verifyWrite(ops[i]!, lookup(after, opKey(ops[i]!, spec)));
}

/**
 * An insert the server refused with a duplicate key error (`refused`, indexes into `ops`; inserts a
 * probe already found taken are not among them) is `exists` only when its key is taken: the error
 * may come from a unique index on another field, and FerretDB's message names no index. One
 * keys-only `find`, only when the round had such errors, tells which: an insert whose key is not
 * there was refused by another unique index, and fails with the server's message.
 */
async function judgeDuplicates(
  collection: DriverCollection,
  spec: CollectionSpec,
  ops: readonly WriteOp[],
  refused: readonly number[],
  results: WriteResult[],
): Promise<void> {
  if (refused.length === 0) return;
  const taken = await readByKey(
    collection,
    spec,
    keysOf(
      refused.map((i) => ops[i]!),
      spec,
    ),
    true,
  );
  for (const i of refused) {
    if (lookup(taken, opKey(ops[i]!, spec)) === undefined)
      results[i] = { status: 'failed', reason: 'refused by a unique index on another field (duplicate key)' };
  }
}

interface BulkOutcome {
  /** Refused operations by their position in the bulk. */
  readonly errors: Map<number, { code: number | undefined; message: string }>;
  /** Updates and deletes that neither were refused nor matched a document. */
  readonly shortfall: number;
}

/**
 * {@link runBulk} in chunks of `chunk` plans, one after the other, as one outcome: errors by their
 * position among all `plans`, the shortfalls summed.
 */
async function runChunkedBulk(
  collection: DriverCollection,
  plans: readonly SentPlan[],
  chunk: number,
): Promise<BulkOutcome> {
  if (plans.length <= chunk) return runBulk(collection, plans);
  const errors: BulkOutcome['errors'] = new Map();
  let shortfall = 0;
  for (let start = 0; start < plans.length; start += chunk) {
    const part = await runBulk(collection, plans.slice(start, start + chunk));
    for (const [n, error] of part.errors) errors.set(start + n, error);
    shortfall += part.shortfall;
  }
  return { errors, shortfall };
}

async function runBulk(collection: DriverCollection, plans: readonly SentPlan[]): Promise<BulkOutcome> {
  if (plans.length === 0) return { errors: new Map(), shortfall: 0 };
  let counts: { matchedCount: number; upsertedCount: number; deletedCount: number };
  const errors: BulkOutcome['errors'] = new Map();
  try {
    const models = plans.map((plan) => plan.model);
    counts = await collection.bulkWrite(models, { ordered: false });
  } catch (error) {
    if (!(error instanceof MongoBulkWriteError)) throw error;
    counts = error.result;
    const list = Array.isArray(error.writeErrors) ? error.writeErrors : [error.writeErrors];
    for (const we of list) {
      errors.set(we.index, { code: we.code, message: we.errmsg ?? 'refused by the server' });
    }
  }
  const expected = (kind: SentPlan['kind']) =>
    plans.filter((plan, n) => plan.kind === kind && !errors.has(n)).length;
  const shortfall =
    expected('update') -
    counts.matchedCount -
    counts.upsertedCount +
    (expected('delete') - counts.deletedCount);
  return { errors, shortfall };
}

function keysOf(ops: readonly WriteOp[], spec: CollectionSpec): DocKey[] {
  return ops.flatMap((op) => {
    const key = opKey(op, spec);
    return key === undefined ? [] : [key];
  });
}

/**
 * Reads documents by key in one `find`; the map is keyed with {@link keyId}. With `keyOnly`, the
 * documents hold only their key field (and `_id`): for probing which keys exist.
 */
export async function readByKey(
  collection: DriverCollection,
  spec: CollectionSpec,
  keys: readonly DocKey[],
  keyOnly = false,
): Promise<Map<string, JsonObject>> {
  const found = new Map<string, JsonObject>();
  if (keys.length === 0) return found;
  const unique = [...new Map(keys.map((k) => [keyId(k), k])).values()];
  const projection = keyOnly ? { [spec.keyField]: 1 } : undefined;
  // One more than can match: a first batch exactly full leaves the cursor open, and the driver
  // then sends a `getMore` only to learn there is nothing more (a round trip a read).
  const cursor = collection
    .find({ [spec.keyField]: { $in: unique.map(toBsonValue) } }, { projection })
    .batchSize(unique.length + 1);
  for (const doc of await cursor.toArray()) {
    const json = toJsonDoc(doc);
    const key = docKey(json, spec);
    if (key !== undefined) found.set(keyId(key), json);
  }
  return found;
}

function lookup(docs: Map<string, JsonObject>, key: DocKey | undefined): JsonObject | undefined {
  return key === undefined ? undefined : docs.get(keyId(key));
}
