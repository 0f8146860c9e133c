import type { Incident } from '../../ledger/incidents.js';
import type { Collection } from '../../stores/store.js';
import type { ResolvedReference } from '../reference.js';
import { repairRehydrateBatch } from './rehydrate-batch.js';
import { actionFor } from './repair-action.js';
import type { RepairContext, RepairOptions } from './repair-context.js';
import type { RepairItem } from './repair-result.js';
import { repairWriteBatch } from './write-batch.js';

/** What every batch of one reference's repair shares. */
export interface RunScope {
  readonly reference: ResolvedReference;
  readonly incidents: Collection;
  /** The repair run's id (see `repair-run.ts`). */
  readonly run: string;
  /** The approved delete plan, required for deletions to happen at all. */
  readonly plan?: { readonly hash: string; readonly approvedBy: readonly string[] };
  /** The approved plan that let the repair through a tripped circuit breaker. */
  readonly breakerPlan?: string;
}

const notes = {
  flag: 'policy "flag": nothing changes, the incident stays open for review',
  report:
    'not repaired automatically: the value names its target in the wrong type (or is no key at all); ' +
    'correct it where it is written',
} as const;

/**
 * Repairs one batch of open incidents of a reference: each by its action (see `repair-action.ts`).
 * Flagged and reported incidents are listed, never written.
 */
export async function repairBatch(
  ctx: RepairContext,
  run: RunScope,
  batch: readonly Incident[],
  options: RepairOptions,
): Promise<RepairItem[]> {
  const { reference, incidents, plan, breakerPlan } = run;
  const items: RepairItem[] = [];
  const byAction = { rehydrate: [] as Incident[], write: [] as Incident[] };
  for (const incident of batch) {
    const action = actionFor(reference, incident);
    if (action === 'flag' || action === 'report') {
      const status = action === 'flag' ? 'flagged' : 'reported';
      const { id, kind, collection, key } = incident;
      items.push({ incident: id, kind, collection, key, action, status, note: notes[action] });
    } else if (action === 'rehydrate') byAction.rehydrate.push(incident);
    else if (action !== 'delete' || plan) byAction.write.push(incident);
  }
  if (byAction.rehydrate.length > 0)
    items.push(...(await repairRehydrateBatch(ctx, run, byAction.rehydrate, options)));
  const action = reference.onMissing === 'delete-dependent' ? 'delete' : reference.onMissing;
  if (byAction.write.length > 0 && (action === 'tombstone' || action === 'nullify' || action === 'delete')) {
    const scope = {
      reference,
      action,
      incidents,
      run: run.run,
      ...(plan ? { plan } : {}),
      ...(breakerPlan ? { breakerPlan } : {}),
    } as const;
    items.push(...(await repairWriteBatch(ctx, scope, byAction.write, options)));
  }
  return items;
}
