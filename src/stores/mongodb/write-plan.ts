import type { AnyBulkWriteOperation, Document } from 'mongodb';
import { canonicalJson, type JsonObject, type JsonValue, readPath } from '../../core/json.js';
import {
  type CollectionSpec,
  type DocKey,
  docKey,
  type Expectation,
  keyId,
  type WriteOp,
  type WriteResult,
} from '../store.js';
import { toBsonDoc, toBsonValue, toJsonDoc } from './ejson.js';

/**
 * How one write operation is carried out: decided without writing (`result`), or sent as a bulk
 * model whose outcome is read from the bulk result. `upsert` marks a model that stands for a
 * replace with upsert: a replaceOne, or an insert when the key was probed and not found. Pure
 * functions, no I/O, so the rules that turn MongoDB's answers into WriteResults can be read in
 * one place.
 */
export type WritePlan =
  | { readonly result: WriteResult }
  | {
      readonly model: AnyBulkWriteOperation;
      readonly kind: 'insert' | 'update' | 'delete';
      readonly upsert: boolean;
    };

/**
 * How a store's writes carry their expectations. `conditional` (MongoDB): in the filter of each
 * write, where the server checks and applies them atomically. `keyed` (FerretDB 1.x, whose
 * adapter says `atomicConditionalWrites: false`): FerretDB reads then writes anyway, and scans the
 * whole collection for any filter other than the bare key, one scan per document; so the
 * expectation is checked on the round's read, the write filters by key alone, and a batched
 * re-read after the write confirms each document holds what was written.
 */
export type WriteMode = 'conditional' | 'keyed';

/** A plan that goes to the server. */
export type SentPlan = Extract<WritePlan, { readonly model: unknown }>;

const ok: WriteResult = { status: 'ok' };
const missing: WriteResult = { status: 'missing' };
const conflict: WriteResult = { status: 'conflict' };

/**
 * Groups operation indexes into rounds in which every key appears at most once. An unordered
 * bulk write runs inserts, updates and deletes in groups, not in the caller's order, so a second
 * operation on the same key goes into the next round (one more round trip, only then).
 */
export function writeRounds(ops: readonly WriteOp[], spec: CollectionSpec): number[][] {
  const seen = new Map<string, number>();
  const rounds: number[][] = [];
  ops.forEach((op, index) => {
    const key = opKey(op, spec);
    const id = key === undefined ? undefined : keyId(key);
    const round = id === undefined ? 0 : (seen.get(id) ?? 0);
    if (id !== undefined) seen.set(id, round + 1);
    if (rounds[round]) rounds[round].push(index);
    else rounds[round] = [index];
  });
  return rounds;
}

/** The key an operation writes, if it has a valid one. */
export function opKey(op: WriteOp, spec: CollectionSpec): DocKey | undefined {
  return op.type === 'insert' || op.type === 'replace' ? docKey(op.doc, spec) : op.key;
}

/**
 * True when the outcome of an operation depends on the stored document, so it must be read
 * first: bulkWrite reports matched and deleted counts for the whole batch, not per operation.
 */
export function needsCurrent(op: WriteOp): boolean {
  return op.type !== 'insert' && !isBlindUpsert(op);
}

/**
 * True for an operation sent without reading its document first when the server checks
 * conditions atomically (`conditional` mode): a replace that is not an upsert. Its expectation
 * goes in the filter, so the server applies it or matches nothing; only when the bulk counts fall
 * short is the document read, and {@link verifyWrite} tells `ok` (the stored document is the
 * replacement) from `conflict` and `missing` (so a replace refused by its condition whose document
 * already is the replacement counts as done: what it asked for is stored). A fenced ledger save
 * (checkpoint, audit head, changelog record) or a rollback's restore is such a replace: one round
 * trip instead of two.
 * Patches and deletes are still read first: once written, their effect does not show whether
 * their expectation held (a patch whose values were already there looks applied).
 */
export function sentUnread(op: WriteOp, mode: WriteMode): boolean {
  return mode === 'conditional' && op.type === 'replace' && op.upsert !== true;
}

/**
 * Plans a {@link sentUnread} replace: its key and expectation in the filter, no read.
 */
export function planUnread(op: Extract<WriteOp, { type: 'replace' }>, spec: CollectionSpec): WritePlan {
  const key = opKey(op, spec);
  if (key === undefined) return { result: { status: 'failed', reason: `no key in field ${spec.keyField}` } };
  const filter = keyFilter(spec.keyField, key, op.expect);
  return {
    model: { replaceOne: { filter, replacement: toBsonDoc(op.doc), upsert: false } },
    kind: 'update',
    upsert: false,
  };
}

/**
 * True for an unconditional upsert: a replace with `upsert` and no expectation. A round with one
 * first probes which keys exist (see {@link planProbed}).
 */
export function isBlindUpsert(op: WriteOp): boolean {
  return op.type === 'replace' && op.upsert === true && op.expect === undefined;
}

/**
 * True for an operation {@link planProbed} can plan from whether its key exists alone: an insert
 * or an unconditional upsert, with a valid key.
 */
export function probesKey(op: WriteOp, spec: CollectionSpec): boolean {
  return (op.type === 'insert' || isBlindUpsert(op)) && opKey(op, spec) !== undefined;
}

/**
 * Plans an insert or an unconditional upsert from a probe of its key, so that new documents go to
 * the server as inserts. A replaceOne with upsert looks its key up on the server, which on
 * FerretDB's SQLite backend is a scan of the collection per operation; an insert is not. An insert
 * of a key the probe found is `exists` without a write; an upsert of such a key is the usual
 * replaceOne. An upsert of a key the probe did not find is sent as an insert, which can still meet
 * a document a concurrent writer inserted meanwhile: see {@link retriesAsReplace}.
 */
export function planProbed(op: WriteOp, spec: CollectionSpec, exists: boolean): WritePlan {
  if (op.type === 'insert') return exists ? { result: { status: 'exists' } } : planWrite(op, spec, undefined);
  if (exists || op.type !== 'replace') return planWrite(op, spec, undefined);
  return { model: { insertOne: { document: toBsonDoc(op.doc) } }, kind: 'insert', upsert: true };
}

/**
 * True when a refused operation is an upsert sent as an insert ({@link planProbed}) whose key was
 * taken after the probe: it is sent again as the replaceOne with upsert it stands for, and its
 * result is that one's.
 */
export function retriesAsReplace(plan: SentPlan, code: number | undefined): boolean {
  return code === 11000 && plan.kind === 'insert' && plan.upsert;
}

/**
 * Plans one operation against the document as stored now (undefined: no such document). With
 * `keyedFilters`, the expectation is checked on `current` only and the filter sent is the key
 * alone (see {@link WriteMode}); otherwise it is checked on `current` and sent in the filter too.
 */
export function planWrite(
  op: WriteOp,
  spec: CollectionSpec,
  current: JsonObject | undefined,
  keyedFilters = false,
): WritePlan {
  if (op.type === 'insert') {
    return { model: { insertOne: { document: toBsonDoc(op.doc) } }, kind: 'insert', upsert: false };
  }
  const key = opKey(op, spec);
  if (key === undefined) return { result: { status: 'failed', reason: `no key in field ${spec.keyField}` } };
  const upsert = op.type === 'replace' && op.upsert === true;
  if (current === undefined && needsCurrent(op)) {
    if (!upsert) return { result: missing };
    if (op.expect?.value !== undefined) return { result: conflict };
  }
  const refused = current !== undefined && op.expect && !expectationHolds(current, op.expect);
  if (refused) return { result: conflict };
  const filter = keyFilter(spec.keyField, key, keyedFilters ? undefined : op.expect);
  if (op.type === 'replace') {
    return {
      model: { replaceOne: { filter, replacement: toBsonDoc(op.doc), upsert } },
      kind: 'update',
      upsert,
    };
  }
  if (op.type === 'delete') return { model: { deleteOne: { filter } }, kind: 'delete', upsert: false };
  const update = patchUpdate(op.set, op.unset);
  if (!update) return { result: ok };
  return { model: { updateOne: { filter, update } }, kind: 'update', upsert: false };
}

/**
 * The expectation, evaluated on a stored document as the portable filter language would: null is
 * met by a null or absent field, undefined only by an absent one.
 */
export function expectationHolds(doc: JsonObject, expect: Expectation): boolean {
  const value = readPath(doc, expect.field);
  if (expect.value === undefined) return value === undefined;
  if (expect.value === null) return value === undefined || value === null;
  return value === expect.value;
}

/**
 * The result of a sent operation the bulk write refused: a taken key on insert is `exists`; on a
 * replace with upsert it means the document appeared or changed since it was read, a `conflict`.
 */
export function refusedResult(plan: SentPlan, code: number | undefined, message: string): WriteResult {
  if (code === 11000) {
    if (plan.kind === 'insert') return { status: 'exists' };
    if (plan.upsert) return conflict;
  }
  return { status: 'failed', reason: message };
}

/**
 * Decides whether an operation took effect from the document as stored after the write. Used only
 * when the bulk counts show that some operation matched nothing, which happens when a document
 * changed between the read and the write; then an operation whose effect is not visible is a
 * `conflict` (or `missing` when the document is gone).
 */
export function verifyWrite(op: WriteOp, after: JsonObject | undefined): WriteResult {
  if (op.type === 'insert') return ok;
  if (op.type === 'delete') return after === undefined ? ok : conflict;
  if (after === undefined) return op.type === 'replace' && op.upsert ? conflict : missing;
  if (op.type === 'replace') {
    const expected = normalise(op.doc) as JsonObject;
    const stored = '_id' in expected ? after : withoutId(after);
    return canonicalJson(stored) === canonicalJson(expected) ? ok : conflict;
  }
  const setHolds = Object.entries(op.set ?? {}).every(
    ([path, value]) => canonicalJson(readPath(after, path)) === canonicalJson(normalise(value)),
  );
  const unsetHolds = (op.unset ?? []).every((path) => readPath(after, path) === undefined);
  return setHolds && unsetHolds ? ok : conflict;
}

/**
 * The filter of a write: the key, and the expectation. One flat document when the fields differ
 * (`$and` only when the expectation is on the key field itself): FerretDB 1.24 runs a flat filter
 * measurably faster than the same condition under `$and` (32 against 39 ms a replaceOne at 5,000
 * documents, 31 against 47 ms in a bulk of 50).
 */
function keyFilter(keyField: string, key: DocKey, expect: Expectation | undefined): Document {
  const byKey = { [keyField]: toBsonValue(key) };
  if (!expect) return byKey;
  const condition = expectationFilter(expect);
  return expect.field === keyField ? { $and: [byKey, condition] } : { ...byKey, ...condition };
}

/** The expectation as a query; `$eq: null` also matches an absent field, as expectationHolds does. */
function expectationFilter(expect: Expectation): Document {
  if (expect.value === undefined) return { [expect.field]: { $exists: false } };
  return { [expect.field]: { $eq: expect.value } };
}

function patchUpdate(
  set: JsonObject | undefined,
  unset: readonly string[] | undefined,
): Document | undefined {
  const update: Document = {};
  if (set && Object.keys(set).length > 0) update.$set = toBsonDoc(set);
  if (unset && unset.length > 0) update.$unset = Object.fromEntries(unset.map((path) => [path, '']));
  return Object.keys(update).length > 0 ? update : undefined;
}

function normalise(value: JsonValue): JsonValue {
  return toJsonDoc({ v: toBsonValue(value) }).v ?? null;
}

function withoutId(doc: JsonObject): JsonObject {
  const { _id: _ignored, ...rest } = doc;
  return rest;
}
