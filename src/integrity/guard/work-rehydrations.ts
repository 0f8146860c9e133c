import type { JsonObject } from '../../core/json.js';
import type { AuditEntry } from '../../ledger/audit-chain.js';
import { type Collection, keyId } from '../../stores/store.js';
import type { ResolvedReference } from '../reference.js';
import { saveBeforeImages } from '../repair/before-images.js';
import { insertRehydrated, lookUpRehydration, type RehydrationLookup } from '../repair/rehydrate-keys.js';
import { nowIso, type RepairContext } from '../repair/repair-context.js';
import { recordGuardOrphans } from './record-guard-orphans.js';
import {
  finishRehydration,
  pendingRehydrations,
  type RehydrationRequest,
  rehydrationsCollection,
} from './rehydration-queue.js';

/** What working the queue needs: a repair context without the approval settings. */
export type GuardWorkContext = Omit<RepairContext, 'approvers' | 'approvalPolicies'>;

/**
 * How a request ended: `rehydrated` (copied from `rehydrateFrom`), `present` (the target was back
 * already), `incident` (nowhere to copy it from: recorded as an orphan incident for a person),
 * `unknown-reference` (the reference is no longer declared), `failed` (left pending), `planned`
 * (dry run; the note says what would happen).
 */
export type RehydrationOutcome =
  | 'rehydrated'
  | 'present'
  | 'incident'
  | 'unknown-reference'
  | 'failed'
  | 'planned';

export interface RehydrationResult {
  readonly request: string;
  readonly reference: string;
  readonly key: RehydrationRequest['key'];
  readonly outcome: RehydrationOutcome;
  readonly note?: string;
}

/**
 * `steward refs rehydrate`'s work: takes the pending requests the read-time guard queued, a
 * batch at a time, and for each one copies the target from the reference's `rehydrateFrom` when
 * declared and found there, or records an orphan incident for the reading document otherwise.
 * Every request worked is marked done and audited; a failed insert leaves it pending for the
 * next run. Inserts never overwrite, and a before-image (the target's absence) is saved first.
 */
export async function workRehydrations(
  ctx: GuardWorkContext,
  references: ReadonlyMap<string, ResolvedReference>,
  options: { dryRun?: boolean; batchSize?: number } = {},
): Promise<RehydrationResult[]> {
  const queue = await rehydrationsCollection(ctx.ledger);
  await ctx.ledger.openCollection('incidents');
  const results: RehydrationResult[] = [];
  let batch: RehydrationRequest[] = [];
  const work = async () => {
    const byReference = new Map<string, RehydrationRequest[]>();
    for (const r of batch) byReference.set(r.reference, [...(byReference.get(r.reference) ?? []), r]);
    for (const [name, requests] of byReference)
      results.push(...(await workBatch(ctx, queue, references.get(name), requests, options.dryRun === true)));
    batch = [];
  };
  for await (const request of pendingRehydrations(queue)) {
    batch.push(request);
    if (batch.length >= (options.batchSize ?? 100)) await work();
  }
  await work();
  return results;
}

/** One batch of requests of one reference: decide, apply, then audit and mark done. */
async function workBatch(
  ctx: GuardWorkContext,
  queue: Collection,
  reference: ResolvedReference | undefined,
  requests: readonly RehydrationRequest[],
  dryRun: boolean,
): Promise<RehydrationResult[]> {
  const now = nowIso(ctx);
  const lookup = reference ? await lookUp(ctx, reference, requests) : undefined;
  const decided = requests.map((r) => ({ ...r, ...decide(reference, r, lookup) }));
  if (dryRun) return decided.map((r) => result(r, 'planned', r.note ?? r.outcome));
  const failed = reference && lookup ? await apply(ctx, reference, decided, lookup, now) : new Map();
  const results = decided.map((r) =>
    failed.has(r.id) ? result(r, 'failed', failed.get(r.id)) : result(r, r.outcome, r.note),
  );
  const done = results.filter((r) => r.outcome !== 'failed');
  await ctx.ledger.audit.appendMany(done.map((r) => auditOf(r, reference)));
  for (const r of done)
    await finishRehydration(queue, requests.find((q) => q.id === r.request)!, r.outcome, r.note, now);
  return results;
}

type Decision = { outcome: 'present' | 'rehydrated' | 'incident' | 'unknown-reference'; note?: string };

/** What to do about one request, from what the lookup found. Pure. */
function decide(
  reference: ResolvedReference | undefined,
  request: RehydrationRequest,
  lookup: RehydrationLookup | undefined,
): Decision {
  if (!reference || !lookup)
    return { outcome: 'unknown-reference', note: 'the reference is no longer in the config' };
  const id = keyId(request.key);
  if (lookup.present.has(id)) return { outcome: 'present', note: 'the target is back already' };
  if (lookup.available.has(id))
    return { outcome: 'rehydrated', note: `copied from "${reference.rehydrateFrom}"` };
  const where = reference.rehydrateFrom
    ? `not in "${reference.rehydrateFrom}" either`
    : 'no rehydrateFrom declared';
  return { outcome: 'incident', note: `${where}: recorded as an orphan incident` };
}

function lookUp(
  ctx: GuardWorkContext,
  reference: ResolvedReference,
  requests: readonly RehydrationRequest[],
) {
  const from = reference.rehydrateFrom === undefined ? undefined : ctx.collection(reference.rehydrateFrom);
  return lookUpRehydration(
    from,
    ctx.collection(reference.target),
    requests.map((r) => r.key),
  );
}

/**
 * Inserts what can be rehydrated (before-images first) and records incidents for the rest.
 * Returns the requests whose insert failed, with the reason.
 */
async function apply(
  ctx: GuardWorkContext,
  reference: ResolvedReference,
  decided: readonly (RehydrationRequest & Decision)[],
  lookup: RehydrationLookup,
  now: string,
): Promise<Map<string, string>> {
  const failed = new Map<string, string>();
  const copying = decided.filter((r) => r.outcome === 'rehydrated');
  if (copying.length > 0) {
    const images = copying.map((r) => ({
      // One run per reference for the queue, so a retry finds its image saved (insert-only).
      repairRun: `refs-rehydrate:${reference.name}`,
      incident: r.id,
      action: 'rehydrate',
      reference: reference.name,
      collection: reference.target,
      key: r.key,
      doc: null,
      change: { type: 'insert' as const, keys: [r.key] },
      inserted: [lookup.available.get(keyId(r.key))!],
      savedAt: now,
    }));
    await saveBeforeImages(await ctx.ledger.openCollection('backups'), images);
    const inserted = await insertRehydrated(ctx.collection(reference.target), lookup);
    for (const r of copying) {
      const failure = inserted.failed.get(keyId(r.key));
      if (failure) failed.set(r.id, failure);
      else ctx.onEvent?.(rehydratedEvent(reference, r, now));
    }
  }
  await recordGuardOrphans(
    ctx.ledger.collection('incidents'),
    reference,
    decided.filter((r) => r.outcome === 'incident'),
    now,
  );
  return failed;
}

function rehydratedEvent(reference: ResolvedReference, r: RehydrationRequest, now: string) {
  return {
    type: 'rehydrated' as const,
    reference: reference.name,
    collection: reference.collection,
    key: r.sourceKey,
    detail: { target: reference.target, inserts: [r.key] },
    at: now,
  };
}

function result(
  r: RehydrationRequest,
  outcome: RehydrationOutcome,
  note: string | undefined,
): RehydrationResult {
  return { request: r.id, reference: r.reference, key: r.key, outcome, ...(note ? { note } : {}) };
}

function auditOf(result: RehydrationResult, reference: ResolvedReference | undefined): AuditEntry {
  const details: JsonObject = {
    request: result.request,
    key: result.key,
    outcome: result.outcome,
    ...(reference ? { target: reference.target, from: reference.rehydrateFrom ?? null } : {}),
    ...(result.note ? { note: result.note } : {}),
  };
  return { action: 'refs.rehydrate', subject: result.reference, details };
}
