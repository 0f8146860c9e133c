import { randomBytes } from 'node:crypto';
import { type Clock, systemClock } from '../../ledger/clock.js';
import type { Ledger } from '../../ledger/ledger.js';
import type { Collection } from '../../stores/store.js';
import type { ResolvedReference } from '../reference.js';
import { reverifyIncidents } from './reverify-incidents.js';

/** What `refs scan --stale-only` did for one reference. */
export interface StaleReport {
  readonly reference: string;
  /** The reference's `revalidateAfter`, in ms; null when it declares none (nothing is rechecked). */
  readonly horizonMs: number | null;
  /** Open incidents last checked before this instant were rechecked. */
  readonly checkedBefore: string | null;
  readonly checked: number;
  readonly closed: number;
  readonly stillOpen: number;
}

export interface RevalidateStaleInput {
  readonly reference: ResolvedReference;
  readonly source: Collection;
  readonly target: Collection;
  readonly ledger: Ledger;
  readonly clock?: Clock;
}

/**
 * The revalidation horizon, incident side: rechecks the open incidents of a reference not checked
 * within its `revalidateAfter` (their `lastSeenAt` is older), closing the fixed ones and
 * stamping the others as checked now. It does not read the whole source: documents without an
 * incident are checked by a full scan, which is what a horizon on them would need anyway (steward
 * keeps no per-document check time). A reference without `revalidateAfter` is left alone.
 */
export async function revalidateStale(input: RevalidateStaleInput): Promise<StaleReport> {
  const { reference, ledger } = input;
  const clock = input.clock ?? systemClock;
  const horizonMs = reference.revalidateAfterMs;
  if (horizonMs === undefined) {
    return {
      reference: reference.name,
      horizonMs: null,
      checkedBefore: null,
      checked: 0,
      closed: 0,
      stillOpen: 0,
    };
  }
  await ledger.openCollection('incidents');
  const checkedBefore = new Date(clock() - horizonMs).toISOString();
  const scanId = `stale-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
  const outcome = await reverifyIncidents({
    reference,
    source: input.source,
    target: input.target,
    incidents: ledger.collection('incidents'),
    select: (incident) => incident.lastSeenAt < checkedBefore,
    now: () => new Date(clock()).toISOString(),
    refreshAs: scanId,
  });
  await ledger.audit.append({
    action: 'refs.revalidate',
    subject: reference.name,
    details: { scanId, horizonMs, checkedBefore, ...outcome },
  });
  return { reference: reference.name, horizonMs, checkedBefore, ...outcome };
}
