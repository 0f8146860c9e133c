import type { JsonObject } from '../../core/json.js';
import type { RepairEventType } from '../../signals/integrity-event.js';
import type { WriteResult } from '../../stores/store.js';
import { beforeImageId } from './before-images.js';
import type { FinishedRepair } from './finish-repairs.js';
import type { DocumentAction, WriteDecision } from './plan-write.js';
import type { RepairContext } from './repair-context.js';
import type { RepairItem } from './repair-result.js';
import type { BatchScope, Planned } from './write-batch.js';

/**
 * How one incident of a write batch ended. `wrote`: this run changed the document, so its
 * before-image is the one just saved. Pure, like everything in this file: the batch does the I/O.
 */
export interface WriteOutcome {
  readonly status: RepairItem['status'];
  readonly note?: string;
  readonly wrote: boolean;
  /** An earlier run saved the before-image and deleted the document. */
  readonly deletedBefore: boolean;
}

const eventTypes: Record<DocumentAction, RepairEventType> = {
  tombstone: 'tombstoned',
  nullify: 'nullified',
  delete: 'deleted',
};

const earlier = 'an earlier run stopped before closing the incident';

/** The outcome of one incident from its decision and, if it was written, the write's result. */
export function outcomeOf(
  decision: WriteDecision,
  result: WriteResult | undefined,
  deletedBefore: boolean,
): WriteOutcome {
  const none = { wrote: false, deletedBefore: false };
  switch (decision.kind) {
    case 'applied':
      return { ...none, status: 'done', note: `${decision.note} (${earlier})` };
    case 'gone':
      return deletedBefore
        ? { ...none, deletedBefore, status: 'done', note: `already deleted: ${earlier}` }
        : { ...none, status: 'gone', note: decision.note };
    case 'back':
      return { ...none, status: 'back', note: `${decision.note}, incident closed` };
    case 'stale':
    case 'unfit':
      return { ...none, status: 'skipped', note: decision.note };
    case 'write':
      return writtenOutcome(decision, result);
  }
}

function writtenOutcome(
  decision: WriteDecision & { kind: 'write' },
  result: WriteResult | undefined,
): WriteOutcome {
  const wrote = { wrote: true, deletedBefore: false };
  switch (result?.status) {
    case 'ok':
      return decision.atomic
        ? { ...wrote, status: 'done' }
        : {
            ...wrote,
            status: 'done',
            note: 'array reference: written without an expectation (see docs/integrity.md)',
          };
    case 'conflict':
      return {
        ...wrote,
        wrote: false,
        status: 'skipped',
        note: 'the document changed between the read and the write; left open',
      };
    case 'missing':
      // Deleted by someone else between the read and the write: a deletion's goal is met anyway.
      return {
        ...wrote,
        status: decision.op.type === 'delete' ? 'done' : 'gone',
        note: 'the document was deleted meanwhile',
      };
    case 'failed':
      return { ...wrote, wrote: false, status: 'failed', note: result.reason };
    default:
      return {
        ...wrote,
        wrote: false,
        status: 'failed',
        note: `no write result (${JSON.stringify(result)})`,
      };
  }
}

const dryRunStatus = {
  applied: 'planned',
  gone: 'gone',
  back: 'back',
  stale: 'skipped',
  unfit: 'skipped',
} as const;

/** The item a dry run reports for one incident. */
export function dryRunItem(scope: BatchScope, p: Planned): RepairItem {
  const { decision } = p;
  if (decision.kind === 'write') return { ...itemBase(scope, p), status: 'planned', change: decision.change };
  const status = dryRunStatus[decision.kind];
  const closes = decision.kind === 'applied' || decision.kind === 'back';
  const note = closes ? `${decision.note}; would close the incident` : decision.note;
  return { ...itemBase(scope, p), status, note };
}

/**
 * The item of one incident and, when it is done or gone, what finishing it takes: the audit
 * record (with the change, the before-image and the plan), the resolution and the event.
 */
export function finishedWrite(
  ctx: RepairContext,
  scope: BatchScope,
  p: Planned,
  outcome: WriteOutcome,
  now: string,
): { item: RepairItem; finished?: FinishedRepair } {
  const change = p.decision.kind === 'write' && outcome.wrote ? { change: p.decision.change } : {};
  const item: RepairItem = {
    ...itemBase(scope, p),
    status: outcome.status,
    ...(outcome.note ? { note: outcome.note } : {}),
    ...change,
  };
  if (outcome.status !== 'done' && outcome.status !== 'gone' && outcome.status !== 'back') return { item };
  const action = closingActions[outcome.status] ?? scope.action;
  const plan: JsonObject = {
    ...(scope.plan ? { plan: scope.plan.hash, approvedBy: [...scope.plan.approvedBy] } : {}),
    ...(scope.breakerPlan ? { breakerPlan: scope.breakerPlan } : {}),
  };
  const hasImage = outcome.wrote || outcome.deletedBefore;
  const backup: JsonObject = hasImage
    ? { backup: beforeImageId(p.incident.id, scope.action, scope.run) }
    : {};
  const { incident } = p;
  const details: JsonObject = {
    run: scope.run,
    incident: incident.id,
    collection: incident.collection,
    key: incident.key,
    field: scope.reference.field,
    ...(item.change ? { change: item.change as unknown as JsonObject } : {}),
    ...backup,
    ...plan,
    ...(item.note ? { note: item.note } : {}),
  };
  const event = {
    type: eventTypes[scope.action],
    reference: scope.reference.name,
    collection: incident.collection,
    key: incident.key,
    incident: incident.id,
    at: now,
  };
  const finished: FinishedRepair = {
    incident,
    item,
    audit: { action: `refs.repair.${action}`, subject: scope.reference.name, details },
    resolution: { action, by: ctx.actor, at: now, run: scope.run, ...backup, ...plan },
    ...(outcome.status === 'done' ? { event } : {}),
  };
  return { item, finished };
}

/** The resolution action of incidents closed without the scope's action. */
const closingActions: Partial<Record<RepairItem['status'], string>> = { gone: 'gone', back: 'target-back' };

function itemBase(scope: BatchScope, p: Planned) {
  const { id, kind, collection, key } = p.incident;
  return { incident: id, kind, collection, key, action: scope.action };
}
