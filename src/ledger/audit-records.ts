import type { JsonObject } from '../core/json.js';
import { type Collection, keyId } from '../stores/store.js';
import { type AuditRecord, type AuditVerification, emptyTip, verifyAuditChain } from './audit-chain.js';
import { type AuditHead, auditRecordKey, readAuditHead } from './audit-head.js';
import { withoutKey } from './ledger-document.js';

export interface AuditReadOptions {
  /** Records fetched per round trip batch. Default 500. */
  readonly pageSize?: number;
}

/**
 * Streams the audit records of a collection in seq order, a page of keys at a time, so memory
 * stays flat. It reads by key (seq 1, 2, ...) rather than scanning, which gives seq order on every
 * store, ordered scans or not; a removed record is simply not yielded, and the verifier sees the
 * gap. Committed records still pending in the head are yielded where their own document is
 * missing. After the head, pages continue while they find anything, so records added past the
 * head are seen too.
 */
export async function* readAuditRecords(
  collection: Collection,
  head: AuditHead,
  options: AuditReadOptions = {},
): AsyncGenerator<AuditRecord> {
  const pageSize = options.pageSize ?? 500;
  const pending = new Map(head.pending.map((record) => [record.seq, record]));
  for (let first = 1; ; first += pageSize) {
    const seqs = Array.from({ length: pageSize }, (_, i) => first + i);
    const found = await collection.getMany(seqs.map(auditRecordKey));
    let pastHead = false;
    for (const seq of seqs) {
      const doc = found.get(keyId(auditRecordKey(seq)));
      if (doc && seq > head.seq) pastHead = true;
      const record = doc ? (withoutKey(collection, doc) as AuditRecord) : pending.get(seq);
      if (record) yield record;
    }
    if (first + pageSize - 1 > head.seq && !pastHead) return;
  }
}

/** A verification of a stored audit log, with the head it was checked against. */
export interface StoredAuditVerification extends AuditVerification {
  /** The head document as read before the records; undefined when there is none. */
  readonly head: AuditHead | undefined;
}

/**
 * Verifies the audit log stored in `collection`: every record's hash, every link, no gaps, and
 * that the chain ends where the head says (which is how a removed last record shows). Returns a
 * result, never throws for a broken chain; a missing head is reported as a problem.
 */
export async function verifyStoredAuditChain(
  collection: Collection,
  options: AuditReadOptions & { maxProblems?: number } = {},
): Promise<StoredAuditVerification> {
  const head = await readAuditHead(collection);
  if (!head) {
    const page = await collection.scan({ limit: 1 });
    const problems = page.docs.length
      ? [
          {
            seq: 0,
            kind: 'head-mismatch' as const,
            message: 'the audit log has records but no head document',
          },
        ]
      : [];
    return {
      ok: problems.length === 0,
      checked: 0,
      tip: emptyTip,
      problems,
      problemCount: problems.length,
      head,
    };
  }
  const result = await verifyAuditChain(readAuditRecords(collection, head, options), { ...options, head });
  return { ...result, head };
}

/** The stored form of a record, for tests and tools that tamper or repair through the seam. */
export function storedAuditRecord(collection: Collection, record: AuditRecord): JsonObject {
  return { [collection.spec.keyField]: auditRecordKey(record.seq), ...record };
}
