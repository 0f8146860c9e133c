import type { JsonObject } from '../core/json.js';
import { type Collection, keyId } from '../stores/store.js';
import { type AuditRecord, type AuditVerification, verifyAuditChain } from './audit-chain.js';
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
 * the head that holds nothing.
 */
export async function* readAuditRecords(
  collection: Collection,
  options: AuditReadOptions = {},
): AsyncGenerator<AuditRecord> {
  const pageSize = options.pageSize ?? 500;
  const headSeq = (await readAuditHead(collection))?.seq ?? 0;
  const carried = new Map<number, AuditRecord>();
  for (let first = 1; ; first += pageSize) {
    const seqs = Array.from({ length: pageSize }, (_, i) => first + i);
    const found = await collection.getMany(seqs.map(auditRecordKey));
    let yielded = false;
    for (const seq of seqs) {
      const record = recordAt(collection, found.get(keyId(auditRecordKey(seq))), carried);
      const fallback = carried.get(seq);
      carried.delete(seq);
      if (record ?? fallback) {
        yielded = true;
        yield (record ?? fallback)!;
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

/** A verification of a stored audit log, with the head it was checked against. */
export interface StoredAuditVerification extends AuditVerification {
  /** The head as read before the records; undefined when there is none. */
  readonly head: { readonly seq: number; readonly hash: string } | undefined;
}

/**
 * Verifies the audit log stored in `collection`: every record's hash, every link, no gaps, and
 * that the chain reaches the head with the hash it remembers (which is how a removed last record
 * shows). Appends running meanwhile are not problems: records only ever get added. Returns a
 * result; it throws only when the store fails.
 */
export async function verifyStoredAuditChain(
  collection: Collection,
  options: AuditReadOptions & { maxProblems?: number } = {},
): Promise<StoredAuditVerification> {
  const head = await readAuditHead(collection);
  const result = await verifyAuditChain(readAuditRecords(collection, options), { ...options, head });
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
