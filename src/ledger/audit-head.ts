import type { JsonObject } from '../core/json.js';
import { StewardError } from '../errors/steward-error.js';
import type { Collection } from '../stores/store.js';
import { type AuditRecord, type ChainTip, emptyTip, isAuditRecord } from './audit-chain.js';
import { readLedgerDoc, statusOf, withKey, writeLedgerDoc } from './ledger-document.js';

/**
 * The audit log's head: one document, keyed `head`, in the audit collection. It is the single
 * point every append goes through, with a write conditional on its `seq`, so concurrent
 * appenders are put in one order and the chain cannot fork.
 *
 * The head also carries the records of the last append (`pending`) until they are inserted as
 * their own documents. Writing the head is the commit; inserting the records is replay that any
 * appender (or the verifier's reader) can redo. A crash between the two therefore leaves
 * committed records in the head, never a gap.
 */
export interface AuditHead extends ChainTip {
  /** Committed records not yet known to be stored as their own documents, in seq order. */
  readonly pending: readonly AuditRecord[];
}

/** Key of the head document. Record keys are zero-padded digits, so it sorts after them all. */
export const auditHeadKey = 'head';

/** Key of the record with this seq: 12 digits, so key order is seq order on ordered stores. */
export function auditRecordKey(seq: number): string {
  return String(seq).padStart(12, '0');
}

/** Reads the head; undefined when the audit collection has none. */
export async function readAuditHead(collection: Collection): Promise<AuditHead | undefined> {
  const doc = await readLedgerDoc(collection, auditHeadKey);
  if (!doc) return undefined;
  const { seq, hash, pending } = doc;
  if (
    typeof seq !== 'number' ||
    typeof hash !== 'string' ||
    !Array.isArray(pending) ||
    !pending.every(isAuditRecord)
  ) {
    throw new StewardError(
      'ledger.conflict',
      `the audit head in "${collection.spec.name}" is malformed; the audit log was modified outside steward`,
      { collection: collection.spec.name },
    );
  }
  return { seq, hash, pending };
}

/**
 * Creates the head of an empty audit log. Refuses when records exist without a head, because a
 * new genesis head would start a second chain over the first.
 */
export async function ensureAuditHead(collection: Collection): Promise<void> {
  if (await readAuditHead(collection)) return;
  const page = await collection.scan({ limit: 1 });
  // A document found may be the head another process has just created.
  if (page.docs.length > 0) {
    if (await readAuditHead(collection)) return;
    throw missingHead(collection);
  }
  await writeLedgerDoc(collection, { type: 'insert', doc: headDoc(collection, emptyTip, []) });
}

/**
 * Moves the head from `from` to the last of `records`, carrying them as pending. Returns false
 * when another appender moved the head first.
 */
export async function commitAuditRecords(
  collection: Collection,
  from: ChainTip,
  records: readonly AuditRecord[],
): Promise<boolean> {
  const last = records.at(-1);
  if (!last) return true;
  const status = await writeLedgerDoc(collection, {
    type: 'replace',
    doc: headDoc(collection, last, records),
    expect: { field: 'seq', value: from.seq },
  });
  if (status === 'missing') throw missingHead(collection);
  return status === 'ok';
}

/**
 * Stores the head's pending records as their own documents, then empties `pending` unless the
 * head has moved on. Idempotent: a record someone else stored already answers `exists`.
 */
export async function flushAuditHead(collection: Collection, head: AuditHead): Promise<void> {
  if (head.pending.length === 0) return;
  const inserts = head.pending.map((record) => ({
    type: 'insert' as const,
    doc: withKey(collection, auditRecordKey(record.seq), record),
  }));
  for (const result of await collection.write(inserts)) statusOf(collection, result);
  await writeLedgerDoc(collection, {
    type: 'replace',
    doc: headDoc(collection, head, []),
    expect: { field: 'seq', value: head.seq },
  });
}

function headDoc(collection: Collection, tip: ChainTip, pending: readonly AuditRecord[]): JsonObject {
  return withKey(collection, auditHeadKey, {
    seq: tip.seq,
    hash: tip.hash,
    pending: [...pending],
  });
}

function missingHead(collection: Collection): StewardError {
  return new StewardError(
    'ledger.conflict',
    `the audit log "${collection.spec.name}" has records but no head document; it was modified outside ` +
      'steward. Run the audit verification and restore the collection from a backup.',
    { collection: collection.spec.name },
  );
}
