import { type Collection as DriverCollection, MongoBulkWriteError } from 'mongodb';
import type { JsonObject } from '../../core/json.js';
import { type CollectionSpec, type DocKey, docKey, keyId, type WriteOp, type WriteResult } from '../store.js';
import { toBsonValue, toJsonDoc } from './ejson.js';
import {
  needsCurrent,
  opKey,
  planWrite,
  refusedResult,
  type SentPlan,
  verifyWrite,
  writeRounds,
} from './write-plan.js';

/**
 * Applies write operations with unordered bulk writes and returns one result per operation.
 *
 * A round is at most three round trips: one `find` of the documents whose state decides the
 * outcome (bulkWrite reports matched and deleted counts for the whole batch, not per operation,
 * so `missing` and `conflict` cannot be told apart afterwards); one `bulkWrite` of the operations
 * that can apply, each still guarded by its key and expectation; and, only when the counts show
 * that a document changed in between, one `find` to see which operations took effect.
 */
export async function writeOps(
  collection: DriverCollection,
  spec: CollectionSpec,
  ops: readonly WriteOp[],
): Promise<WriteResult[]> {
  const results: WriteResult[] = new Array(ops.length);
  for (const round of writeRounds(ops, spec)) {
    const roundOps = round.map((index) => ops[index]!);
    const outcome = await writeRound(collection, spec, roundOps);
    round.forEach((index, i) => {
      results[index] = outcome[i]!;
    });
  }
  return results;
}

async function writeRound(
  collection: DriverCollection,
  spec: CollectionSpec,
  ops: readonly WriteOp[],
): Promise<WriteResult[]> {
  const current = await readByKey(collection, spec, keysOf(ops.filter(needsCurrent), spec));
  const plans = ops.map((op) => planWrite(op, spec, lookup(current, opKey(op, spec))));
  const sent = plans.flatMap((plan, i) => ('model' in plan ? [{ plan, i }] : []));
  const sentPlans = sent.map((s) => s.plan);
  const bulk = await runBulk(collection, sentPlans);
  const results = plans.map((plan): WriteResult => ('result' in plan ? plan.result : { status: 'ok' }));
  const unsure: number[] = [];
  sent.forEach(({ plan, i }, n) => {
    const error = bulk.errors.get(n);
    if (error) results[i] = refusedResult(plan, error.code, error.message);
    else if (plan.kind !== 'insert') unsure.push(i);
  });
  if (bulk.shortfall === 0) return results;
  const unsureOps = unsure.map((i) => ops[i]!);
  const after = await readByKey(collection, spec, keysOf(unsureOps, spec));
  for (const i of unsure) results[i] = verifyWrite(ops[i]!, lookup(after, opKey(ops[i]!, spec)));
  return results;
}

interface BulkOutcome {
  /** Refused operations by their position in the bulk. */
  readonly errors: Map<number, { code: number | undefined; message: string }>;
  /** Updates and deletes that neither were refused nor matched a document. */
  readonly shortfall: number;
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

/** Reads documents by key in one `find`; the map is keyed with {@link keyId}. */
export async function readByKey(
  collection: DriverCollection,
  spec: CollectionSpec,
  keys: readonly DocKey[],
): Promise<Map<string, JsonObject>> {
  const found = new Map<string, JsonObject>();
  if (keys.length === 0) return found;
  const unique = [...new Map(keys.map((k) => [keyId(k), k])).values()];
  const cursor = collection
    .find({ [spec.keyField]: { $in: unique.map(toBsonValue) } })
    .batchSize(unique.length);
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
