import type { JsonObject } from '../core/json.js';
import { StewardError } from '../errors/steward-error.js';
import type { Collection } from '../stores/store.js';
import { type AuditRecord, type ChainTip, emptyTip, isAuditRecord } from './audit-chain.js';
import { readLedgerDoc, withKey, withoutKey, writeLedgerDoc } from './ledger-document.js';

/**
 * How the audit log is laid out in its collection.
 *
 * Each record is its own document keyed by its seq, zero-padded (`000000000042`), so key order is
 * seq order. Appending is inserting the next seq: an insert refuses a taken key, so of concurrent
 * appenders exactly one gets each seq and the chain cannot fork. Unique-key inserts are the one
 * conditional write every store makes atomic (FerretDB 1.x, for one, does not make conditional
 * replaces atomic), so the chain's integrity rests on nothing else.
 *
 * A batch is written as its first record carrying the others in `carries`; inserting that one
 * document claims the whole batch. Whoever reads a carrier stores its carried records (inserting
 * them again is harmless: `exists`) and then drops `carries`, so a crash mid-batch leaves
 * committed records inside their carrier, never a fork or a gap.
 *
 * The head document (key `head`) only remembers a recent tip so appenders need not walk the whole
 * log; it may lag, never lead. Verification uses it to see a removed last record.
 */
export const auditHeadKey = 'head';

/** The field of a batch's first record that carries the rest of the batch until they are stored. */
export const carriesField = 'carries';

/** Key of the record with this seq: 12 digits, so key order is seq order on ordered stores. */
export function auditRecordKey(seq: number): string {
  return String(seq).padStart(12, '0');
}

/** A stored record with the batch it carries (empty when it carries none). */
export interface StoredAuditRecord {
  readonly record: AuditRecord;
  readonly carries: readonly AuditRecord[];
}

/** Splits a stored document into its record and carried records; throws when it is no record. */
export function parseStoredRecord(collection: Collection, doc: JsonObject): StoredAuditRecord | undefined {
  const { [carriesField]: carries, ...rest } = withoutKey(collection, doc);
  if (!isAuditRecord(rest)) return undefined;
  return { record: rest, carries: Array.isArray(carries) ? carries.filter(isAuditRecord) : [] };
}

/** The document that stores a record, with the batch it carries when it is a batch's first. */
export function storedRecordDoc(
  collection: Collection,
  record: AuditRecord,
  carries: readonly AuditRecord[] = [],
): JsonObject {
  const doc = withKey(collection, auditRecordKey(record.seq), record);
  return carries.length > 0 ? { ...doc, [carriesField]: [...carries] } : doc;
}

/** Reads the head: the tip it remembers, the empty tip when there is none yet. */
export async function readAuditHead(collection: Collection): Promise<ChainTip | undefined> {
  const doc = await readLedgerDoc(collection, auditHeadKey);
  if (!doc) return undefined;
  const { seq, hash } = doc;
  if (typeof seq === 'number' && Number.isSafeInteger(seq) && seq >= 0 && typeof hash === 'string')
    return { seq, hash };
  throw new StewardError(
    'ledger.conflict',
    `the audit head in "${collection.spec.name}" is malformed; the audit log was modified outside steward`,
    { collection: collection.spec.name },
  );
}

/** Creates the head of a new audit log; another process creating it first is fine. */
export async function ensureAuditHead(collection: Collection): Promise<void> {
  if (await readAuditHead(collection)) return;
  await writeLedgerDoc(collection, { type: 'insert', doc: headDoc(collection, emptyTip) });
}

/**
 * Moves the head from `from` to `to`, conditional on it still being at `from`. A refusal is fine:
 * someone else moved it, and a later append moves it further. Even where the condition is not
 * atomic, every value written is a tip that existed, so the head can lag but never lie. Returns
 * true when the head was moved to `to`.
 */
export async function advanceAuditHead(
  collection: Collection,
  from: ChainTip,
  to: ChainTip,
): Promise<boolean> {
  if (to.seq <= from.seq) return false;
  const status = await writeLedgerDoc(collection, {
    type: 'replace',
    doc: headDoc(collection, to),
    expect: { field: 'seq', value: from.seq },
  });
  return status === 'ok';
}

function headDoc(collection: Collection, tip: ChainTip): JsonObject {
  return withKey(collection, auditHeadKey, { seq: tip.seq, hash: tip.hash });
}
