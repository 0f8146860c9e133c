import type { Incident } from '../../ledger/incidents.js';
import type { Collection } from '../../stores/store.js';
import type { ResolvedReference } from '../reference.js';
import { repairRehydrateBatch } from './rehydrate-batch.js';
import { actionFor } from './repair-action.js';
import type { RepairContext, RepairOptions } from './repair-context.js';
import type { RepairItem } from './repair-result.js';
import { repairWriteBatch } from './write-batch.js';

const notes = {
  flag: 'policy "flag": nothing changes, the incident stays open for review',
  report:
    'not repaired automatically: the value names its target in the wrong type (or is no key at all); ' +
    'correct it where it is written',
} as const;

/**
 * Repairs one batch of open incidents of a reference: each by its action (see `repair-action.ts`).
 * Flagged and reported incidents are listed, never written. `plan` is the approved delete plan,
 * required for deletions to happen at all.
 */
export async function repairBatch(
  ctx: RepairContext,
  reference: ResolvedReference,
  incidents: Collection,
  batch: readonly Incident[],
  options: RepairOptions,
  plan?: { hash: string; approvedBy: readonly string[] },
): Promise<RepairItem[]> {
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
    items.push(...(await repairRehydrateBatch(ctx, reference, incidents, byAction.rehydrate, options)));
  const action = reference.onMissing === 'delete-dependent' ? 'delete' : reference.onMissing;
  if (byAction.write.length > 0 && (action === 'tombstone' || action === 'nullify' || action === 'delete')) {
    const scope = { reference, action, incidents, ...(plan ? { plan } : {}) } as const;
    items.push(...(await repairWriteBatch(ctx, scope, byAction.write, options)));
  }
  return items;
}
