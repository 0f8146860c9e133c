import { isJsonObject, type JsonObject } from '../core/json.js';
import { StewardError } from '../errors/steward-error.js';
import { type Collection, keyId } from '../stores/store.js';
import type { AuditRecord, ChainTip, RecordedHead } from './audit-chain.js';
import { auditRecordKey, parseStoredRecord } from './audit-head.js';
import { readLedgerDoc, withKey, writeLedgerDoc } from './ledger-document.js';

/**
 * The audit head witness: one small document, in a ledger collection of its own, holding the
 * newest tip of the audit log that steward appended (`{ seq, hash, at }`).
 *
 * Why: the audit log's own head document lives in the log's collection, so whatever removes the
 * log's records can remove or rewrite the head with them, and a log deleted whole, or cut and
 * given a matching head, verified as whole. The witness sits apart, so a log that lost records it
 * once had is found by `audit verify` and `doctor`: the chain must still hold the witnessed
 * record, with its hash. What it protects against: steward bugs, partial deletes, a cleanup job or
 * TTL on the wrong collection, the audit collection restored alone from an older backup. What it
 * does not: someone allowed to write the ledger can delete or rewrite the witness too. That is
 * why heads are also kept outside the store (approvals, reports, a ticket) and checked with
 * `audit verify --expect-head`.
 *
 * The witness only moves forward along the chain it witnessed. It is advanced after each append,
 * conditional on still holding the tip the append built on; otherwise it is read, and moved only
 * when the log still holds the witnessed record (so a rewritten log does not overwrite the
 * evidence). Like the log's head it may lag (a crash between the append and this write,
 * concurrent appenders on a store without atomic conditional writes) but never leads: every value
 * written is a tip that was stored.
 */
export const auditWitnessKey = 'audit';

/** How messages name the witness. */
export const witnessSource = 'the audit head witness';

/** Reads the witness; undefined when none was written yet (a ledger older than the witness). */
export async function readAuditWitness(collection: Collection): Promise<RecordedHead | undefined> {
  const witness = await readWitnessDoc(collection);
  if (witness !== 'malformed') return witness;
  throw new StewardError(
    'ledger.conflict',
    `the audit head witness "${auditWitnessKey}" in "${collection.spec.name}" is malformed; it was modified outside steward`,
    { collection: collection.spec.name, key: auditWitnessKey },
  );
}

async function readWitnessDoc(collection: Collection): Promise<RecordedHead | undefined | 'malformed'> {
  const doc = await readLedgerDoc(collection, auditWitnessKey);
  return doc && (recordedHeadOf(doc, witnessSource) ?? 'malformed');
}

/** A `{ seq, hash, at? }` value as a recorded head, or undefined when it is not one. */
export function recordedHeadOf(value: unknown, source: string): RecordedHead | undefined {
  if (!isJsonObject(value)) return undefined;
  const { seq, hash, at } = value;
  if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 0) return undefined;
  if (typeof hash !== 'string' || !/^[0-9a-f]{64}$/.test(hash)) return undefined;
  return { source, seq, hash, ...(typeof at === 'string' ? { at } : {}) };
}

/** What an append tells the witness: the tip it built on and the records it stored. */
export interface WitnessedAppend {
  readonly from: ChainTip;
  readonly records: readonly AuditRecord[];
  readonly at: string;
}

const maxAttempts = 5;

/**
 * Moves the witness to the end of an append. Returns false when the witness was left as it was
 * because the log no longer holds the record it witnessed (the log was cut or rewritten), or the
 * witness is malformed: evidence for verification to report, which an append must neither erase
 * nor fail on (its records are stored already).
 */
export async function advanceAuditWitness(
  witness: Collection,
  audit: Collection,
  append: WitnessedAppend,
): Promise<boolean> {
  const last = append.records.at(-1);
  if (!last) return true;
  const doc = withKey(witness, auditWitnessKey, { seq: last.seq, hash: last.hash, at: append.at });
  let expected = append.from.hash;
  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    const status = await writeLedgerDoc(witness, {
      type: 'replace',
      doc,
      expect: { field: 'hash', value: expected },
    });
    if (status === 'ok') return true;
    const current = await readWitnessDoc(witness);
    if (current === 'malformed') return false;
    if (!current) {
      if ((await writeLedgerDoc(witness, { type: 'insert', doc })) === 'ok') return true;
      continue;
    }
    if (current.seq >= last.seq) return true;
    if (!(await chainHolds(audit, current, append))) return false;
    expected = current.hash;
  }
  // Other appenders kept moving it: they witness a later tip of the same chain.
  return true;
}

/** True when the chain this append extended holds the witnessed record with its hash. */
async function chainHolds(audit: Collection, witnessed: ChainTip, append: WitnessedAppend): Promise<boolean> {
  if (witnessed.seq === append.from.seq) return witnessed.hash === append.from.hash;
  const ours = append.records.find((r) => r.seq === witnessed.seq);
  if (ours) return ours.hash === witnessed.hash;
  return (await storedHash(audit, witnessed.seq)) === witnessed.hash;
}

/** The hash of the record stored at `seq`, undefined when there is none. */
async function storedHash(audit: Collection, seq: number): Promise<string | undefined> {
  const found = await audit.getMany([auditRecordKey(seq)]);
  const doc: JsonObject | undefined = found.get(keyId(auditRecordKey(seq)));
  return doc && parseStoredRecord(audit, doc)?.record.hash;
}
