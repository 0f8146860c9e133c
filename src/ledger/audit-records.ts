import type { JsonObject } from '../core/json.js';
import { isStewardError } from '../errors/steward-error.js';
import { type Collection, type DocKey, keyId } from '../stores/store.js';
import {
  type AuditRecord,
  type AuditVerification,
  type RecordedHead,
  type StoredItem,
  verifyAuditChain,
} from './audit-chain.js';
import { auditRecordKey, parseStoredRecord, readAuditHead, storedRecordDoc } from './audit-head.js';
import { withoutKey } from './ledger-document.js';

export interface AuditReadOptions {
  /** Records fetched per round trip batch. Default 500. */
  readonly pageSize?: number;
}

/**
 * Streams the audit records in seq order, a page of keys at a time, so memory stays flat. It
 * reads by key (seq 1, 2, ...) rather than scanning, which gives seq order on every store, ordered
 * scans or not. A removed record is simply not yielded, so the verifier sees the gap; a document
 * that is not a record is yielded as found, so the verifier reports it. Records of a batch still
 * only carried by its first record are yielded from there. Reading stops at the first page past
 * the head that holds nothing. A document the store cannot read at all ends the stream with the
 * store's `store.corrupt` error, naming the collection and key.
 */
export function readAuditRecords(
  collection: Collection,
  options: AuditReadOptions = {},
): AsyncGenerator<AuditRecord> {
  return readStoredItems(collection, options, false) as AsyncGenerator<AuditRecord>;
}

/** As {@link readAuditRecords}, but yields a document the store cannot read as an unreadable record. */
async function* readStoredItems(
  collection: Collection,
  options: AuditReadOptions,
  yieldUnreadable: boolean,
): AsyncGenerator<StoredItem> {
  const pageSize = options.pageSize ?? 500;
  const headSeq = (await readAuditHead(collection))?.seq ?? 0;
  const carried = new Map<number, AuditRecord>();
  for (let first = 1; ; first += pageSize) {
    const seqs = Array.from({ length: pageSize }, (_, i) => first + i);
    const found = await readPage(collection, seqs.map(auditRecordKey), yieldUnreadable);
    let yielded = false;
    for (const seq of seqs) {
      const doc = found.get(keyId(auditRecordKey(seq)));
      const item =
        doc instanceof Unreadable ? { seq, unreadable: doc.reason } : recordAt(collection, doc, carried);
      const fallback = carried.get(seq);
      carried.delete(seq);
      if (item ?? fallback) {
        yielded = true;
        yield (item ?? fallback)!;
      }
    }
    if (!yielded && first > headSeq) return;
  }
}

/** The record in a stored document (remembering what it carries), or the raw document if malformed. */
function recordAt(
  collection: Collection,
  doc: JsonObject | undefined,
  carried: Map<number, AuditRecord>,
): AuditRecord | undefined {
  if (!doc) return undefined;
  const stored = parseStoredRecord(collection, doc);
  if (!stored) return withoutKey(collection, doc) as AuditRecord;
  for (const c of stored.carries) carried.set(c.seq, c);
  return stored.record;
}

/** A document the store could not read, and why. */
class Unreadable {
  constructor(readonly reason: string) {}
}

/**
 * One page of documents by key. When the store cannot read one of them (`store.corrupt`) and the
 * caller wants to go on, reads the page again key by key to find which, marking those.
 */
async function readPage(
  collection: Collection,
  keys: readonly DocKey[],
  yieldUnreadable: boolean,
): Promise<Map<string, JsonObject | Unreadable>> {
  try {
    return await collection.getMany(keys);
  } catch (error) {
    if (!yieldUnreadable || !isStewardError(error, 'store.corrupt')) throw error;
  }
  const page = new Map<string, JsonObject | Unreadable>();
  for (const key of keys) {
    try {
      const doc = (await collection.getMany([key])).get(keyId(key));
      if (doc) page.set(keyId(key), doc);
    } catch (error) {
      if (!isStewardError(error, 'store.corrupt')) throw error;
      page.set(keyId(key), new Unreadable(error.message));
    }
  }
  return page;
}

/** A verification of a stored audit log, with the head it was checked against. */
export interface StoredAuditVerification extends AuditVerification {
  /** The head as read before the records; undefined when there is none. */
  readonly head: { readonly seq: number; readonly hash: string } | undefined;
}

/** What a verification of a stored log is asked: how to read, and the heads kept elsewhere. */
export interface StoredVerifyOptions extends AuditReadOptions {
  readonly maxProblems?: number;
  /** Heads kept outside the log that it must still hold (see `RecordedHead`). */
  readonly recorded?: readonly RecordedHead[];
}

/**
 * Verifies the audit log stored in `collection`: every record's hash, every link, no gaps, that
 * the chain reaches the head with the hash it remembers (which is how a removed last record
 * shows), and that it still holds every head in `recorded` (which is how a log cut short, or
 * deleted whole, shows when its head went with it). A record the store cannot read is a problem
 * at its seq. Appends running meanwhile are not problems: records only ever get added. Returns a
 * result; it throws only when the store fails.
 */
export async function verifyStoredAuditChain(
  collection: Collection,
  options: StoredVerifyOptions = {},
): Promise<StoredAuditVerification> {
  const head = await readAuditHead(collection);
  const result = await verifyAuditChain(readStoredItems(collection, options, true), { ...options, head });
  if (head || result.checked === 0) return { ...result, head };
  const problem = {
    seq: 0,
    kind: 'head-mismatch' as const,
    message: 'the audit log has records but no head document',
  };
  return {
    ...result,
    ok: false,
    problems: [problem, ...result.problems],
    problemCount: result.problemCount + 1,
    head,
  };
}

/** The stored form of a record, for tests and tools that tamper or repair through the seam. */
export function storedAuditRecord(collection: Collection, record: AuditRecord): JsonObject {
  return storedRecordDoc(collection, record);
}
