import { canonicalJson } from '../core/json.js';
import { StewardError } from '../errors/steward-error.js';
import type { Collection } from '../stores/store.js';
import {
  type AuditEntry,
  type AuditRecord,
  type ChainTip,
  chainRecords,
  type RecordedHead,
} from './audit-chain.js';
import { advanceAuditHead, auditRecordKey, readAuditHead, storedRecordDoc } from './audit-head.js';
import {
  type AuditReadOptions,
  readAuditRecords,
  type StoredAuditVerification,
  type StoredVerifyOptions,
  verifyStoredAuditChain,
} from './audit-records.js';
import { type FoundTip, findAuditTip, storeCarried, walkAuditTip } from './audit-tip.js';
import { advanceAuditWitness } from './audit-witness.js';
import { backoff, type Clock, systemClock } from './clock.js';
import { writeLedgerDoc } from './ledger-document.js';

export interface AuditLogOptions {
  /** Who appends, unless an entry says otherwise: a user, a CI job, a service. */
  readonly actor: string;
  readonly clock?: Clock;
  /** Attempts at claiming the next seq before giving up with `ledger.conflict`. Default 200. */
  readonly maxAttempts?: number;
  /** The audit head witness's collection, advanced after each append (see `audit-witness.ts`). */
  readonly witness?: Collection;
  /** The heads kept in the ledger apart from the log, which verification checks it still holds. */
  readonly recordedHeads?: () => Promise<RecordedHead[]>;
}

/** Records per batch: the first record carries the rest until they are stored (see `audit-head.ts`). */
const maxRecordsPerCommit = 100;
/** Bytes of entries per batch, so a carrier stays well under DynamoDB's 400 KB item limit. */
const maxBytesPerCommit = 128 * 1024;

interface Waiting {
  readonly entries: readonly AuditEntry[];
  resolve(records: AuditRecord[]): void;
  reject(error: unknown): void;
}

/**
 * The append-only, hash-chained audit log of a ledger. Appends from any number of processes form
 * one chain: each batch is claimed by inserting its first seq, which only one appender can do
 * (see `audit-head.ts`); a loser finds the new tip and builds its records again on top.
 *
 * Within one process, appends made while another is in flight are queued and committed together,
 * so a burst of appends costs a few round trips rather than a few per record.
 */
export class AuditLog {
  private readonly queue: Waiting[] = [];
  private draining = false;
  /**
   * Where this process's last append left the chain, when it also moved the head there: the next
   * append reads the head and, when it is still there, claims the seq after it without reading
   * the records after the head (the claim is an insert, so when another process appended
   * meanwhile it fails and the tip is found as usual). Every seq up to it is stored as its own
   * document, carried records included.
   */
  private ownTip: ChainTip | undefined;
  /** The newest tip this process appended or read; see {@link knownTip}. */
  private lastTip: ChainTip | undefined;

  constructor(
    readonly collection: Collection,
    private readonly options: AuditLogOptions,
  ) {}

  /** Appends one record and returns it as stored. */
  async append(entry: AuditEntry): Promise<AuditRecord> {
    const [record] = await this.appendMany([entry]);
    return record!;
  }

  /** Appends records in order; they may be interleaved with other processes' records between batches. */
  appendMany(entries: readonly AuditEntry[]): Promise<AuditRecord[]> {
    if (entries.length === 0) return Promise.resolve([]);
    return new Promise((resolve, reject) => {
      this.queue.push({ entries, resolve, reject });
      void this.drain();
    });
  }

  /** The tip the head remembers (it may lag behind the last record); undefined before opening. */
  head(): Promise<ChainTip | undefined> {
    return readAuditHead(this.collection);
  }

  /**
   * Where the chain ends now: the head, then forward to the last stored record. Reads only. This
   * is the head to keep elsewhere (in approvals, reports, a ticket) and check later with
   * {@link verify}'s `recorded` or `audit verify --expect-head`.
   */
  async tip(): Promise<ChainTip> {
    const { tip } = await walkAuditTip(this.collection);
    this.remember(tip);
    return tip;
  }

  /**
   * The newest tip this process appended (or read), without a round trip once known: what
   * checkpoints record as the head their job last saw. It may lag behind other processes' appends.
   */
  async knownTip(): Promise<ChainTip | undefined> {
    if (!this.lastTip) this.remember(await readAuditHead(this.collection));
    return this.lastTip;
  }

  /** Streams the records in seq order, a page at a time. */
  records(options: AuditReadOptions = {}): AsyncGenerator<AuditRecord> {
    return readAuditRecords(this.collection, options);
  }

  /**
   * Verifies the whole stored chain against its head and against the heads the ledger keeps apart
   * from it (the witness, checkpoints), plus any `recorded` heads passed (say, from an approval);
   * see {@link verifyStoredAuditChain}.
   */
  async verify(options: StoredVerifyOptions = {}): Promise<StoredAuditVerification> {
    const kept = (await this.options.recordedHeads?.()) ?? [];
    return verifyStoredAuditChain(this.collection, {
      ...options,
      recorded: [...kept, ...(options.recorded ?? [])],
    });
  }

  /**
   * The chain as our last append left it, when the head still says so: the tip to claim the next
   * seq on with one read of the head instead of a walk (the head moved elsewhere means the log
   * changed in ways only a walk from the head sees, such as a cut).
   */
  private async stillAt(own: ChainTip): Promise<FoundTip | undefined> {
    const head = await readAuditHead(this.collection);
    return head?.seq === own.seq && head.hash === own.hash ? { head: own, tip: own } : undefined;
  }

  private remember(tip: ChainTip | undefined): void {
    if (tip && (!this.lastTip || tip.seq > this.lastTip.seq)) this.lastTip = tip;
  }

  private async drain(): Promise<void> {
    if (this.draining) return;
    this.draining = true;
    try {
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0, this.queue.length);
        try {
          const records = await this.commitAll(batch.flatMap((w) => w.entries));
          let offset = 0;
          for (const waiting of batch) {
            waiting.resolve(records.slice(offset, offset + waiting.entries.length));
            offset += waiting.entries.length;
          }
        } catch (error) {
          for (const waiting of batch) waiting.reject(error);
        }
      }
    } finally {
      this.draining = false;
    }
  }

  private async commitAll(entries: readonly AuditEntry[]): Promise<AuditRecord[]> {
    const records: AuditRecord[] = [];
    for (const chunk of chunks(entries)) records.push(...(await this.commit(chunk)));
    return records;
  }

  /**
   * One batch: find the tip, chain our records on it and insert the first carrying the rest. The
   * insert claims the seq; on `exists` someone else appended first, so find the tip again.
   */
  private async commit(entries: readonly AuditEntry[]): Promise<AuditRecord[]> {
    const maxAttempts = this.options.maxAttempts ?? 200;
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      const own = this.ownTip;
      this.ownTip = undefined;
      const { head, tip } = (own && (await this.stillAt(own))) ?? (await findAuditTip(this.collection));
      const at = new Date((this.options.clock ?? systemClock)()).toISOString();
      const [first, ...rest] = chainRecords(tip, entries, { actor: this.options.actor, at });
      const claim = { type: 'insert' as const, doc: storedRecordDoc(this.collection, first!, rest) };
      if ((await writeLedgerDoc(this.collection, claim)) === 'ok') {
        await storeCarried(this.collection, rest, rest.length > 0 ? [auditRecordKey(first!.seq)] : []);
        const end = rest.at(-1) ?? first!;
        const last = { seq: end.seq, hash: end.hash };
        const headMoved = await advanceAuditHead(this.collection, head, last);
        const records = [first!, ...rest];
        if (this.options.witness)
          await advanceAuditWitness(this.options.witness, this.collection, { from: tip, records, at });
        this.remember(last);
        if (headMoved) this.ownTip = last;
        return records;
      }
      // A guess from our own last append that lost to another appender costs no wait.
      if (!own) await backoff(attempt);
    }
    throw new StewardError(
      'ledger.conflict',
      `could not append to the audit log "${this.collection.spec.name}" after ${maxAttempts} attempts: ` +
        'other processes kept taking the next seq. Retry, or append less often.',
      { collection: this.collection.spec.name },
    );
  }
}

/** Splits entries into head-sized chunks by count and approximate size. */
function* chunks(entries: readonly AuditEntry[]): Generator<AuditEntry[]> {
  let chunk: AuditEntry[] = [];
  let bytes = 0;
  for (const entry of entries) {
    const size = canonicalJson(entry).length + 256;
    if (chunk.length > 0 && (chunk.length >= maxRecordsPerCommit || bytes + size > maxBytesPerCommit)) {
      yield chunk;
      chunk = [];
      bytes = 0;
    }
    chunk.push(entry);
    bytes += size;
  }
  if (chunk.length > 0) yield chunk;
}
