import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Milliseconds since the epoch, like `Date.now`. The ledger takes one as an option so tests can
 * move time forward instead of waiting for a lease to expire.
 */
export type Clock = () => number;

/** The machine's wall clock. */
export const systemClock: Clock = () => Date.now();

/**
 * Waits a random time that grows with the attempt number (up to `capMs`), so processes that
 * collided on a conditional write do not collide again in lockstep.
 */
export async function backoff(attempt: number, capMs = 50): Promise<void> {
  await sleep(Math.random() * Math.min(capMs, 2 ** attempt));
}
