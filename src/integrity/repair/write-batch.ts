import type { JsonObject } from '../../core/json.js';
import type { Incident } from '../../ledger/incidents.js';
import { type Collection, keyId, type WriteResult } from '../../stores/store.js';
import type { ResolvedReference } from '../reference.js';
import { saveBeforeImages, savedBeforeImages } from './before-images.js';
import { type FinishedRepair, finishRepairs } from './finish-repairs.js';
import { type DocumentAction, planWriteNow, type WriteDecision } from './plan-write.js';
import { stillMissingTargets } from './recheck-targets.js';
import { nowIso, type RepairContext, type RepairOptions } from './repair-context.js';
import type { RepairItem } from './repair-result.js';
import { dryRunItem, finishedWrite, outcomeOf } from './write-outcome.js';

/** What every incident of a batch shares: its reference, its action, its run and, for deletions, the approved plan. */
export interface BatchScope {
  readonly reference: ResolvedReference;
  readonly action: DocumentAction;
  readonly incidents: Collection;
  /** The repair run (see `repair-run.ts`): it names the before-images, audit records and resolutions. */
  readonly run: string;
  /** The approved plan a deletion belongs to, with who approved it. */
  readonly plan?: { readonly hash: string; readonly approvedBy: readonly string[] };
  /** The approved plan that let the repair through a tripped circuit breaker. */
  readonly breakerPlan?: string;
}

/** One incident of a batch, its document as just read, and what to do about it. */
export interface Planned {
  readonly incident: Incident;
  readonly doc: JsonObject | undefined;
  readonly decision: WriteDecision;
}

/**
 * Repairs one batch of incidents whose action changes the source document (tombstone, nullify,
 * delete): reads the documents in one round trip and, at the same time, which of the missing
 * targets are still missing (one keys-only lookup), decides each write from both as read (see
 * `plan-write.ts`: an incident whose targets are all back is closed without writing), saves the before-images, applies the writes in one bulk call, then
 * audits and closes what was done. A write refused by its expectation (the document changed
 * since it was read) leaves its incident open. With `dryRun`, stops after deciding.
 */
export async function repairWriteBatch(
  ctx: RepairContext,
  scope: BatchScope,
  batch: readonly Incident[],
  options: RepairOptions,
): Promise<RepairItem[]> {
  const now = nowIso(ctx);
  const source = ctx.collection(scope.reference.collection);
  const [docs, stillMissing] = await Promise.all([
    source.getMany(batch.map((i) => i.key)),
    stillMissingTargets(ctx.collection(scope.reference.target), batch),
  ]);
  const planned = batch.map((incident): Planned => {
    const doc = docs.get(keyId(incident.key));
    const still = stillMissing.get(incident.id);
    return {
      incident,
      doc,
      decision: planWriteNow(scope.reference, incident, scope.action, doc, still, now),
    };
  });
  if (options.dryRun) return planned.map((p) => dryRunItem(scope, p));

  const backups = await ctx.ledger.openCollection('backups');
  const gone = planned.filter((p) => p.decision.kind === 'gone').map((p) => p.incident.id);
  const deletedBefore =
    scope.action === 'delete'
      ? await savedBeforeImages(backups, gone, 'delete', scope.run)
      : new Set<string>();
  const results = await writeWithBeforeImages(backups, source, scope, planned, now);
  const items: RepairItem[] = [];
  const finished: FinishedRepair[] = [];
  for (const p of planned) {
    const outcome = outcomeOf(p.decision, results.get(p.incident.id), deletedBefore.has(p.incident.id));
    const { item, finished: toFinish } = finishedWrite(ctx, scope, p, outcome, now);
    if (toFinish) finished.push(toFinish);
    else items.push(item);
  }
  items.push(...(await finishRepairs(ctx, scope.incidents, finished, now)));
  return items;
}

/**
 * Saves the before-image of every document about to be written, then writes them all in one bulk
 * call. Returns each write's result by incident id. If a before-image cannot be saved, this
 * throws before writing anything.
 */
async function writeWithBeforeImages(
  backups: Collection,
  source: Collection,
  scope: BatchScope,
  planned: readonly Planned[],
  now: string,
): Promise<Map<string, WriteResult | undefined>> {
  const writing = planned.filter((p) => p.decision.kind === 'write');
  await saveBeforeImages(
    backups,
    writing.map(({ incident, doc, decision }) => ({
      repairRun: scope.run,
      incident: incident.id,
      action: scope.action,
      reference: scope.reference.name,
      collection: scope.reference.collection,
      key: incident.key,
      doc: doc!,
      change: (decision as WriteDecision & { kind: 'write' }).change,
      savedAt: now,
      ...(scope.plan ? { detail: { plan: scope.plan.hash } } : {}),
    })),
  );
  const ops = writing.map((p) => (p.decision as WriteDecision & { kind: 'write' }).op);
  const results = await source.write(ops);
  return new Map(writing.map((p, n) => [p.incident.id, results[n]]));
}
