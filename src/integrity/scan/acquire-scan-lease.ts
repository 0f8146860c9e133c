import { setTimeout as sleep } from 'node:timers/promises';
import { isStewardError } from '../../errors/steward-error.js';
import type { Clock } from '../../ledger/clock.js';
import type { Lease } from '../../ledger/lease.js';
import type { ScanReferenceInput } from './scan-input.js';

/** Longest wait for a held lease: a holder with a longer ttl is not waited for past this. */
const maxLeaseWaitMs = 15 * 60_000;

/**
 * Acquires the lease of a scan's (reference, segment); with `waitForLease`, waits once for a held
 * lease to reach the expiry it shows and tries again (see {@link ScanReferenceInput.waitForLease}).
 */
export async function acquireScanLease(
  input: ScanReferenceInput,
  job: string,
  ttlMs: number,
  clock: Clock,
): Promise<Lease> {
  const ask = () => input.ledger.acquireLease({ name: job, holder: input.holder, ttlMs });
  try {
    return await ask();
  } catch (error) {
    if (!input.waitForLease || !isStewardError(error, 'lease.held')) throw error;
    const until = Number(error.details.expiresAt);
    const holder = String(error.details.holder);
    input.onEvent?.({ type: 'waiting', reference: input.reference.name, holder, until });
    const signal = input.signal;
    // Aborted, it asks at once: the lease is still held, and `lease.held` says by whom.
    await sleep(Math.min(maxLeaseWaitMs, Math.max(0, until - clock())) + 100, undefined, {
      ...(signal ? { signal } : {}),
    }).catch(() => undefined);
    return ask();
  }
}
