import { canonicalJson } from '../core/json.js';
import { StewardError } from '../errors/steward-error.js';
import type { Collection } from '../stores/store.js';
import { type AuditEntry, type AuditRecord, chainRecords } from './audit-chain.js';
import { type AuditHead, commitAuditRecords, flushAuditHead, readAuditHead } from './audit-head.js';
import {
  type AuditReadOptions,
  readAuditRecords,
  type StoredAuditVerification,
  verifyStoredAuditChain,
} from './audit-records.js';
import { backoff, type Clock, systemClock } from './clock.js';

export interface AuditLogOptions {
  /** Who appends, unless an entry says otherwise: a user, a CI job, a service. */
  readonly actor: string;
  readonly clock?: Clock;
  /** Attempts at moving the head before giving up with `ledger.conflict`. Default 200. */
  readonly maxAttempts?: number;
}

/** Records per head write: the head carries them until they are stored (see `audit-head.ts`). */
const maxRecordsPerCommit = 100;
/** Bytes of entries per head write, well under DynamoDB's 400 KB item limit. */
const maxBytesPerCommit = 128 * 1024;

interface Waiting {
  readonly entries: readonly AuditEntry[];
  resolve(records: AuditRecord[]): void;
  reject(error: unknown): void;
}

/**
 * The append-only, hash-chained audit log of a ledger. Appends from any number of processes form
 * one chain: each append moves the head document with a write conditional on its seq (see
 * `audit-head.ts`), and a loser re-reads the head and builds its records again on top.
 *
 * Within one process, appends made while another is in flight are queued and committed together,
 * so a burst of appends costs a few round trips rather than a few per record.
 */
export class AuditLog {
  private readonly queue: Waiting[] = [];
  private draining = false;

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

  /** The head as stored now; undefined when the log was never opened. */
  head(): Promise<AuditHead | undefined> {
    return readAuditHead(this.collection);
  }

  /** Streams the records in seq order, a page at a time. */
  async *records(options: AuditReadOptions = {}): AsyncGenerator<AuditRecord> {
    const head = await this.head();
    if (head) yield* readAuditRecords(this.collection, head, options);
  }

  /** Verifies the whole stored chain against its head; see {@link verifyStoredAuditChain}. */
  verify(options: AuditReadOptions & { maxProblems?: number } = {}): Promise<StoredAuditVerification> {
    return verifyStoredAuditChain(this.collection, options);
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

  /** One head move: read the head, finish its pending records, chain ours on top, commit, store. */
  private async commit(entries: readonly AuditEntry[]): Promise<AuditRecord[]> {
    const maxAttempts = this.options.maxAttempts ?? 200;
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      const head = await readAuditHead(this.collection);
      if (!head) throw notOpened(this.collection);
      await flushAuditHead(this.collection, head);
      const at = new Date((this.options.clock ?? systemClock)()).toISOString();
      const records = chainRecords(head, entries, { actor: this.options.actor, at });
      if (await commitAuditRecords(this.collection, head, records)) {
        const last = records.at(-1)!;
        await flushAuditHead(this.collection, { seq: last.seq, hash: last.hash, pending: records });
        return records;
      }
      await backoff(attempt);
    }
    throw new StewardError(
      'ledger.conflict',
      `could not append to the audit log "${this.collection.spec.name}" after ${maxAttempts} attempts: ` +
        'other processes kept moving its head. Retry, or append less often.',
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

function notOpened(collection: Collection): StewardError {
  return new StewardError(
    'ledger.conflict',
    `the audit log "${collection.spec.name}" has no head document: open the ledger with openLedger() first`,
    { collection: collection.spec.name },
  );
}
