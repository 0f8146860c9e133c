import { type Clock, systemClock } from '../ledger/clock.js';
import type { Ledger } from '../ledger/ledger.js';
import { withKey, writeLedgerDoc } from '../ledger/ledger-document.js';
import type { Collection } from '../stores/store.js';
import { lostRace, notApplied } from './flag-errors.js';
import { type FlagGeneration, flagGenerationKey, listFlagGenerations } from './flag-generations.js';
import {
  checkFlagRequest,
  defaultPendingTimeoutMs,
  type FlagChangeRequest,
  planFlagChange,
  type ShapeFlag,
  shapeFlagOf,
} from './flag-rules.js';

export interface SetShapeFlagOptions extends FlagChangeRequest {
  /** Time of the change; tests inject one. Default `Date.now`. */
  readonly clock?: Clock;
  /** How long another setter's unaudited change blocks this one; default one minute. */
  readonly pendingTimeoutMs?: number;
}

/** The outcome: the flag as it is now, and whether this call changed it. */
export type SetShapeFlagResult =
  | { readonly changed: true; readonly flag: ShapeFlag; readonly previous: string | null }
  | { readonly changed: false; readonly flag: ShapeFlag };

/**
 * Sets a shape flag, in three writes whose order makes sure no change is in effect without its
 * audit record:
 *
 * 1. insert the next generation: the claim. Of concurrent setters exactly one inserts it; the
 *    others, and setters arriving before step 3 is done, get `ledger.conflict` (retry) and
 *    nothing of theirs is written or audited.
 * 2. append the `flag.set` audit record (flag, generation, from, to, reason).
 * 3. write the record's seq and hash into the generation: from now on it is the flag's value.
 *
 * Readers take the highest generation that has step 3 done. A crash after step 1 leaves a change
 * that never took effect and was never audited; after step 2, one that was audited but did not
 * take effect (setting the flag again after the pending timeout does). "Write, then audit" could
 * leave a change in effect that nobody audited; "audit, then write" would fill the audit log
 * with the changes of every setter that lost the race. A request for the value the flag already
 * has writes nothing.
 */
export async function setShapeFlag(
  ledger: Ledger,
  options: SetShapeFlagOptions,
): Promise<SetShapeFlagResult> {
  const request = checkFlagRequest(options);
  const clock = options.clock ?? systemClock;
  const collection = await ledger.openCollection('flags');
  const stored = await listFlagGenerations(collection, request.name);
  const plan = planFlagChange(stored, request, clock(), options.pendingTimeoutMs ?? defaultPendingTimeoutMs);
  if (plan.kind === 'unchanged') return { changed: false, flag: plan.current };
  const generation = plan.generation;
  const key = flagGenerationKey(generation.name, generation.generation);
  const claimed = await writeLedgerDoc(collection, {
    type: 'insert',
    doc: withKey(collection, key, generation),
  });
  if (claimed !== 'ok') throw lostRace(generation.name, generation.generation);
  const record = await audit(ledger, collection, key, generation);
  const applied = { ...generation, auditSeq: record.seq, auditHash: record.hash };
  try {
    await writeLedgerDoc(collection, {
      type: 'patch',
      key,
      set: { auditSeq: record.seq, auditHash: record.hash },
    });
  } catch (error) {
    throw notApplied(generation.name, generation.generation, record.seq, error);
  }
  return { changed: true, flag: shapeFlagOf([applied])!, previous: generation.previous };
}

/**
 * Step 2. When the append fails the generation is marked abandoned (best effort: if that fails
 * too, other setters treat it as abandoned after the pending timeout) and the error is thrown.
 */
async function audit(ledger: Ledger, collection: Collection, key: string, g: FlagGeneration) {
  try {
    return await ledger.audit.append({
      action: 'flag.set',
      subject: g.name,
      actor: g.actor,
      details: {
        name: g.name,
        generation: g.generation,
        from: g.previous,
        to: g.value,
        reason: g.reason,
        allowed: g.allowed,
      },
    });
  } catch (error) {
    const why = `audit append failed: ${(error as Error)?.message ?? String(error)}`;
    await writeLedgerDoc(collection, { type: 'patch', key, set: { abandoned: why } }).catch(() => undefined);
    throw error;
  }
}
