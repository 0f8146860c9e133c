import { StewardError } from '../errors/steward-error.js';
import type { Collection } from '../stores/store.js';
import { backoff, type Clock, systemClock } from './clock.js';
import {
  generationKey,
  type LeaseDoc,
  listGenerations,
  pruneGenerations,
  readOwnAndNext,
} from './lease-generations.js';
import { withKey, writeLedgerDoc } from './ledger-document.js';

export type { LeaseDoc } from './lease-generations.js';

/**
 * A lease: a lock with an expiry, so a job that dies does not hold its lock forever, and a
 * fencing token, so a job that only *thinks* it still holds the lock cannot do damage.
 *
 * Every acquisition of a lease name gets a token one higher than the last and is stored as a
 * document of its own, created by a unique-key insert (see `lease-generations.ts`): of
 * concurrent acquirers exactly one inserts the next token, on every store, FerretDB included.
 * Ledger documents steward writes under a lease carry the token in a `fence` field and are
 * written conditionally on it (see `fenced-write.ts`), so a stale holder's write is refused with
 * `lease.lost`, whatever the clocks say.
 *
 * Clocks: expiry is written by the holder's clock and judged by the acquirer's. Mutual exclusion
 * by time alone holds only while clock skew plus a paused process stay well below `ttlMs`; renew
 * at a third of the ttl. When the clocks are wrong, the fence still protects fenced ledger
 * documents, but not side effects outside them: user documents are protected by per-document
 * version expectations, not by the lease.
 */
export interface AcquireLeaseOptions {
  readonly name: string;
  /** Who holds it: unique per process (host, pid and a random part), named in `lease.held` errors. */
  readonly holder: string;
  readonly ttlMs: number;
  readonly clock?: Clock;
}

/** The fence a lease puts on ledger documents: which lease, and which acquisition of it. */
export interface Fence {
  readonly name: string;
  readonly token: number;
  /**
   * Throws `lease.lost` when a newer acquisition of the lease exists. Fenced writes call it
   * before and after writing (see `fenced-write.ts`). Expiry alone does not fail it.
   */
  assertCurrent(action: string): Promise<void>;
}

/** Attempts at acquiring before `ledger.conflict`: every retry means another acquirer moved on. */
const maxAttempts = 50;

/** A held lease. Methods throw `lease.lost` once someone else has acquired it. */
export class Lease implements Fence {
  constructor(
    private readonly collection: Collection,
    private doc: LeaseDoc,
    private readonly options: AcquireLeaseOptions,
  ) {}

  get name(): string {
    return this.doc.name;
  }
  get holder(): string {
    return this.doc.holder;
  }
  /** The fencing token: strictly increasing per lease name across acquisitions. */
  get token(): number {
    return this.doc.token;
  }
  get expiresAt(): number {
    return this.doc.expiresAt;
  }

  /**
   * Extends the expiry by `ttlMs` from now. Succeeds even after expiry if nobody took the lease
   * meanwhile. Writes first, then checks for a newer generation: an acquirer checks the other way
   * round (inserts, then rereads this expiry), so of a late renewal racing a takeover at most one
   * goes on.
   */
  async renew(): Promise<void> {
    const expiresAt = this.now() + this.options.ttlMs;
    await this.patchOwn(expiresAt, 'renew');
    await this.assertCurrent('renew');
  }

  /** Gives the lease up by expiring it now. The generation stays, so the next token is higher. */
  async release(): Promise<void> {
    await this.patchOwn(0, 'release');
  }

  /** Throws `lease.lost` unless this is still the newest acquisition and not expired by our clock. */
  async assertHeld(): Promise<void> {
    await this.assertCurrent('continue');
    if (this.doc.expiresAt <= this.now()) throw await this.lost('continue after expiry');
  }

  async assertCurrent(action: string): Promise<void> {
    const { own, next } = await readOwnAndNext(this.collection, this.name, this.token);
    if (own?.holder !== this.holder || next) throw await this.lost(action);
  }

  /**
   * Only the holder writes its generation, so the expectation (our holder name) fails only when
   * the generation was pruned, two acquisitions later. Concurrent renewals by one holder are fine.
   * Written as a whole replacement of the generation (it holds nothing else), which a store whose
   * conditions are atomic sends without reading the document first.
   */
  private async patchOwn(expiresAt: number, action: string): Promise<void> {
    const key = generationKey(this.name, this.token);
    const status = await writeLedgerDoc(this.collection, {
      type: 'replace',
      doc: withKey(this.collection, key, { ...this.doc, expiresAt }),
      expect: { field: 'holder', value: this.holder },
    });
    if (status !== 'ok') throw await this.lost(action);
    this.doc = { ...this.doc, expiresAt };
  }

  private async lost(action: string): Promise<StewardError> {
    return lost(this.doc, action, await readLease(this.collection, this.name));
  }

  private now(): number {
    return (this.options.clock ?? systemClock)();
  }
}

/**
 * Acquires a lease: inserts the generation after the newest one when there is none, when the
 * newest has expired or when it is already ours, and otherwise refuses with `lease.held`. Of
 * concurrent acquirers exactly one wins, because only one can insert a key; the winner then
 * rereads the generations, and gives way if a newer one appeared (it had re-inserted a pruned
 * key) or if the previous holder renewed meanwhile (see {@link Lease.renew}).
 */
export async function acquireLease(collection: Collection, options: AcquireLeaseOptions): Promise<Lease> {
  const clock = options.clock ?? systemClock;
  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    const now = clock();
    const current = (await listGenerations(collection, options.name)).at(-1)?.lease;
    if (current && !takeable(current, options.holder, now)) throw held(current);
    const doc: LeaseDoc = {
      name: options.name,
      holder: options.holder,
      token: (current?.token ?? 0) + 1,
      expiresAt: now + options.ttlMs,
    };
    const key = generationKey(doc.name, doc.token);
    const status = await writeLedgerDoc(collection, {
      type: 'insert',
      doc: withKey(collection, key, { ...doc }),
    });
    if (status === 'ok') {
      const after = await listGenerations(collection, options.name);
      const previous = after.find((g) => g.lease.token === doc.token - 1)?.lease;
      // The previous holder renewed after we read it. Our generation must stay: the renewer may
      // have checked for it before we inserted it, and it stops the renewer at its next check.
      if (previous && !takeable(previous, options.holder, now)) throw held(previous);
      if (after.at(-1)?.lease.token === doc.token) {
        await pruneGenerations(collection, after, doc.token);
        return new Lease(collection, doc, options);
      }
    }
    // Someone else inserted this token, or a newer one exists: read again and decide anew.
    await backoff(attempt);
  }
  throw new StewardError(
    'ledger.conflict',
    `could not acquire lease "${options.name}" in "${collection.spec.name}" after ${maxAttempts} attempts: ` +
      'other processes kept acquiring it. Retry later.',
    { collection: collection.spec.name, lease: options.name },
  );
}

/** The newest generation of a lease; undefined when the name was never acquired. */
export async function readLease(collection: Collection, name: string): Promise<LeaseDoc | undefined> {
  return (await listGenerations(collection, name)).at(-1)?.lease;
}

/** A generation may be superseded when it has expired by our clock or is our own. */
function takeable(current: LeaseDoc, holder: string, now: number): boolean {
  return current.expiresAt <= now || current.holder === holder;
}

function held(current: LeaseDoc): StewardError {
  return new StewardError(
    'lease.held',
    `lease "${current.name}" is held by ${current.holder} until ${new Date(current.expiresAt).toISOString()}; ` +
      'wait for that job to finish or for the lease to expire, then retry',
    { lease: current.name, holder: current.holder, expiresAt: current.expiresAt, token: current.token },
  );
}

function lost(mine: LeaseDoc, action: string, stored?: LeaseDoc): StewardError {
  const now = stored
    ? stored.token === mine.token
      ? 'it has expired'
      : `${stored.holder} holds it now with token ${stored.token}`
    : 'it no longer exists';
  return new StewardError(
    'lease.lost',
    `lease "${mine.name}" (token ${mine.token}, holder ${mine.holder}) was lost, cannot ${action}: ${now}. ` +
      'Another run has taken over this job; stop this one.',
    { lease: mine.name, token: mine.token, holder: mine.holder, current: stored?.token },
  );
}
