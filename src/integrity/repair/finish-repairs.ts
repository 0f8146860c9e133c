import type { JsonObject } from '../../core/json.js';
import type { AuditEntry } from '../../ledger/audit-chain.js';
import { closeIncident, type Incident } from '../../ledger/incidents.js';
import type { IntegrityEvent } from '../../signals/integrity-event.js';
import type { Collection } from '../../stores/store.js';
import type { RepairContext } from './repair-context.js';
import type { RepairItem } from './repair-result.js';

/** A repair whose write is done (or found done): what is left is to audit it and close its incident. */
export interface FinishedRepair {
  readonly incident: Incident;
  readonly item: RepairItem;
  readonly audit: AuditEntry;
  readonly resolution: JsonObject;
  readonly event?: IntegrityEvent;
}

/** Incidents closed at once: enough to overlap round trips, few enough not to flood a slow store. */
const closeConcurrency = 8;

/**
 * Audits a batch of finished repairs (one append for the batch), then closes their incidents and
 * emits their events. In this order, so a crash leaves the incident open and the next run, finding
 * the document already repaired, audits and closes it then: every change gets its audit record,
 * at worst twice, never zero times.
 */
export async function finishRepairs(
  ctx: RepairContext,
  incidents: Collection,
  finished: readonly FinishedRepair[],
  now: string,
): Promise<RepairItem[]> {
  if (finished.length === 0) return [];
  await ctx.ledger.audit.appendMany(finished.map((f) => f.audit));
  const items: RepairItem[] = [];
  for (let start = 0; start < finished.length; start += closeConcurrency) {
    const chunk = finished.slice(start, start + closeConcurrency);
    const closed = await Promise.all(
      chunk.map((f) => closeIncident(incidents, f.incident, f.resolution, now)),
    );
    chunk.forEach((f, i) => {
      items.push(closed[i] ? f.item : { ...f.item, note: appendNote(f.item.note, notClosed) });
      if (f.event) ctx.onEvent?.(f.event);
    });
  }
  return items;
}

const notClosed =
  'a scan updated the incident meanwhile, so it stays open; the next run finds the repair done and closes it';

/** Two notes as one sentence list. */
export function appendNote(note: string | undefined, more: string): string {
  return note ? `${note}; ${more}` : more;
}
