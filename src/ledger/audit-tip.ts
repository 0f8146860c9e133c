import { StewardError } from '../errors/steward-error.js';
import { type Collection, keyId } from '../stores/store.js';
import { type AuditRecord, type ChainTip, emptyTip } from './audit-chain.js';
import {
  auditRecordKey,
  carriesField,
  parseStoredRecord,
  readAuditHead,
  storedRecordDoc,
} from './audit-head.js';
import { statusOf } from './ledger-document.js';

/** Where the chain ends now, and the head it was found from (to move the head on afterwards). */
export interface FoundTip {
  readonly head: ChainTip;
  readonly tip: ChainTip;
}

/**
 * Finds the end of the chain: starts at the head and reads forward a page of keys at a time until
 * a seq is missing. Batches met on the way whose records are still only carried are stored
 * first, so the tip returned has every record before it stored as its own document.
 */
export async function findAuditTip(collection: Collection, pageSize = 100): Promise<FoundTip> {
  const walk = await walkAuditTip(collection, pageSize);
  await storeCarried(collection, walk.replay, walk.carriers);
  return { head: walk.head, tip: walk.tip };
}

/** A walk from the head to the chain's end, with what is still only carried on the way. */
interface TipWalk extends FoundTip {
  /** Records met only inside their batch's first record, not yet stored as their own document. */
  readonly replay: AuditRecord[];
  /** Keys of the records carrying them. */
  readonly carriers: string[];
}

/**
 * Reads from the head forward to the chain's end without writing anything: what
 * {@link findAuditTip} does before it stores carried records, and what a reader that only wants
 * to know where the chain ends (see `audit-head-ref.ts`) does.
 */
export async function walkAuditTip(collection: Collection, pageSize = 100): Promise<TipWalk> {
  const head = (await readAuditHead(collection)) ?? emptyTip;
  let tip = head;
  const carried = new Map<number, AuditRecord>();
  const replay: AuditRecord[] = [];
  const carriers: string[] = [];
  for (let more = true; more; ) {
    const seqs = Array.from({ length: pageSize }, (_, i) => tip.seq + 1 + i);
    const found = await collection.getMany(seqs.map(auditRecordKey));
    more = false;
    for (const seq of seqs) {
      const doc = found.get(keyId(auditRecordKey(seq)));
      const stored = doc && parseStoredRecord(collection, doc);
      if (doc && !stored) throw malformed(collection, seq);
      const record = stored?.record ?? carried.get(seq);
      if (!record) break;
      if (!stored) replay.push(record);
      for (const c of stored?.carries ?? []) carried.set(c.seq, c);
      if (stored?.carries.length) carriers.push(auditRecordKey(seq));
      tip = { seq, hash: record.hash };
      more = seq === seqs.at(-1);
    }
  }
  return { head, tip, replay, carriers };
}

/**
 * Stores carried records as their own documents, then drops `carries` from their carriers. Two
 * writes, in this order, so a carrier never loses its batch before the batch is stored.
 */
export async function storeCarried(
  collection: Collection,
  records: readonly AuditRecord[],
  carrierKeys: readonly string[],
): Promise<void> {
  if (records.length > 0) {
    const results = await collection.write(
      records.map((r) => ({ type: 'insert', doc: storedRecordDoc(collection, r) })),
    );
    for (const result of results) statusOf(collection, result);
  }
  if (carrierKeys.length > 0) {
    const results = await collection.write(
      carrierKeys.map((key) => ({ type: 'patch', key, unset: [carriesField] })),
    );
    for (const result of results) statusOf(collection, result);
  }
}

function malformed(collection: Collection, seq: number): StewardError {
  return new StewardError(
    'ledger.conflict',
    `audit record ${seq} in "${collection.spec.name}" is not an audit record; the log was modified outside ` +
      'steward. Run the audit verification to see the damage.',
    { collection: collection.spec.name, seq },
  );
}
