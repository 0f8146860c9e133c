import type { JsonObject } from '../core/json.js';
import { StewardError } from '../errors/steward-error.js';
import type { Collection } from '../stores/store.js';
import { type Clock, systemClock } from './clock.js';
import { readLedgerDoc, withKey, withoutKey, writeLedgerDoc } from './ledger-document.js';

/**
 * A lease: a lock with an expiry, so a job that dies does not hold its lock forever, and a
 * fencing token, so a job that only *thinks* it still holds the lock cannot do damage.
 *
 * Every acquisition of a lease name gets a token one higher than the last (release keeps the
 * document, so tokens never restart). Ledger documents steward writes under a lease carry the
 * token in a `fence` field and are written conditionally on it (see `fenced-write.ts`), so once a
 * newer holder has touched them, a stale holder's write is refused with `lease.lost`, whatever
 * the clocks say.
 *
 * Clocks: expiry is written by the holder's clock and judged by the acquirer's. Mutual exclusion
 * by time alone holds only while clock skew plus a paused process stay well below `ttlMs`; renew
 * at a third of the ttl. When the clocks are wrong, the fence still protects fenced ledger
 * documents, but not side effects outside them: user documents are protected by per-document
 * version expectations, not by the lease.
 */
export interface LeaseDoc {
  readonly name: string;
  readonly holder: string;
  readonly token: number;
  /** Epoch milliseconds, by the holder's clock. */
  readonly expiresAt: number;
}

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
}

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
   * meanwhile (the token is unchanged, so nothing fenced was touched by anyone else).
   */
  async renew(): Promise<void> {
    const next = { ...this.doc, expiresAt: this.now() + this.options.ttlMs };
    const status = await writeLedgerDoc(this.collection, {
      type: 'replace',
      doc: withKey(this.collection, next.name, { ...next }),
      expect: { field: 'token', value: this.doc.token },
    });
    if (status !== 'ok') throw lost(this.doc, 'renew', await readLease(this.collection, this.doc.name));
    this.doc = next;
  }

  /** Gives the lease up by expiring it now. The document stays, so the next token is higher. */
  async release(): Promise<void> {
    const status = await writeLedgerDoc(this.collection, {
      type: 'patch',
      key: this.doc.name,
      set: { expiresAt: 0 },
      expect: { field: 'token', value: this.doc.token },
    });
    if (status !== 'ok') throw lost(this.doc, 'release', await readLease(this.collection, this.doc.name));
  }

  /** Throws `lease.lost` unless the stored lease is still this one and not expired by our clock. */
  async assertHeld(): Promise<void> {
    const stored = await readLease(this.collection, this.doc.name);
    if (!stored || stored.token !== this.doc.token) throw lost(this.doc, 'continue', stored);
    if (stored.expiresAt <= this.now()) throw lost(this.doc, 'continue after expiry', stored);
  }

  private now(): number {
    return (this.options.clock ?? systemClock)();
  }
}

/**
 * Acquires a lease: creates it when absent, takes it over when expired or already held by the
 * same holder (with the next token), and otherwise refuses with `lease.held`. Of concurrent
 * acquirers exactly one wins, because both the insert and the takeover are conditional writes.
 */
export async function acquireLease(collection: Collection, options: AcquireLeaseOptions): Promise<Lease> {
  const clock = options.clock ?? systemClock;
  for (;;) {
    const now = clock();
    const fresh: LeaseDoc = {
      name: options.name,
      holder: options.holder,
      token: 1,
      expiresAt: now + options.ttlMs,
    };
    const current = await readLease(collection, options.name);
    if (current && current.expiresAt > now && current.holder !== options.holder) throw held(current);
    const doc = current ? { ...fresh, token: current.token + 1 } : fresh;
    const status = await writeLedgerDoc(
      collection,
      current
        ? {
            type: 'replace',
            doc: withKey(collection, doc.name, { ...doc }),
            expect: { field: 'token', value: current.token },
          }
        : { type: 'insert', doc: withKey(collection, doc.name, { ...doc }) },
    );
    if (status === 'ok') return new Lease(collection, doc, options);
    // Someone else created or took it between our read and write: read again and decide anew.
  }
}

/** Reads a lease document; undefined when the name was never acquired. */
export async function readLease(collection: Collection, name: string): Promise<LeaseDoc | undefined> {
  const doc = await readLedgerDoc(collection, name);
  return doc ? parseLease(collection, withoutKey(collection, doc)) : undefined;
}

function parseLease(collection: Collection, doc: JsonObject): LeaseDoc {
  const { name, holder, token, expiresAt } = doc;
  if (
    typeof name === 'string' &&
    typeof holder === 'string' &&
    typeof token === 'number' &&
    typeof expiresAt === 'number'
  ) {
    return { name, holder, token, expiresAt };
  }
  throw new StewardError(
    'ledger.conflict',
    `lease document ${JSON.stringify(doc.name)} in "${collection.spec.name}" is malformed`,
    { collection: collection.spec.name },
  );
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
