/**
 * The audit log's hash chain, as pure functions: building records and verifying a sequence of
 * them. Nothing here does I/O, so the same checks run over records streamed from a store, read
 * from an export file or built in a test.
 *
 * A record's `hash` is SHA-256 over the canonical JSON of the record without `hash`, and each
 * record names its predecessor's hash in `prevHash`. Changing, removing or reordering a record
 * therefore breaks a hash or a link. What a chain cannot show on its own: that records were cut
 * off its end, or that someone able to write the store rewrote the whole tail consistently. So
 * heads are kept elsewhere (the ledger's witness, checkpoints, approvals, a ticket or a release
 * note: see `audit-head-ref.ts`), and {@link verifyAuditChain} checks the chain still holds each
 * head it is given.
 */
import { hashJson } from '../core/hash.js';
import { isJsonObject, type JsonObject } from '../core/json.js';

/** The `prevHash` of the first record: 64 zeros, so every record has a predecessor hash. */
export const genesisHash = '0'.repeat(64);

/** What a caller records: who did what to which subject. The chain adds the rest. */
export interface AuditEntry {
  readonly action: string;
  readonly subject: string;
  readonly details?: JsonObject;
  /** Overrides the ledger's actor for this entry. */
  readonly actor?: string;
}

/**
 * One record of the audit log, as stored (without the store's key field). A type rather than an
 * interface so a record is a JsonObject without a cast.
 */
export type AuditRecord = {
  readonly seq: number;
  /** ISO 8601 time of the append, by the appender's clock. */
  readonly at: string;
  readonly actor: string;
  readonly action: string;
  readonly subject: string;
  readonly details: JsonObject;
  readonly prevHash: string;
  readonly hash: string;
};

/** Where the chain ends: the last record's seq and hash (seq 0 and the genesis hash when empty). */
export interface ChainTip {
  readonly seq: number;
  readonly hash: string;
}

/** The empty chain's tip. */
export const emptyTip: ChainTip = { seq: 0, hash: genesisHash };

/**
 * A head kept outside the log: the chain reached this record once, so it must still hold it, with
 * this hash, and may only have grown since.
 */
export interface RecordedHead extends ChainTip {
  /** Who kept it, as messages name it: "the audit head witness", "--expect-head". */
  readonly source: string;
  /** When it was recorded, when known (ISO 8601). */
  readonly at?: string;
}

/**
 * A stored record that could not be read at all (its document is not JSON): the verifier reports
 * it at its seq instead of the store's error ending the whole verification.
 */
export interface UnreadableAuditRecord {
  readonly seq: number;
  /** Why, as the store said. */
  readonly unreadable: string;
}

/** The hash a record must carry: over everything but `hash` itself. */
export function auditRecordHash(record: Omit<AuditRecord, 'hash'> & { hash?: string }): string {
  const { hash: _ignored, ...content } = record;
  return hashJson(content);
}

/** Builds the records that extend the chain at `tip` with `entries`, in order. */
export function chainRecords(
  tip: ChainTip,
  entries: readonly AuditEntry[],
  defaults: { actor: string; at: string },
): AuditRecord[] {
  const records: AuditRecord[] = [];
  let prev = tip;
  for (const entry of entries) {
    const content = {
      seq: prev.seq + 1,
      at: defaults.at,
      actor: entry.actor ?? defaults.actor,
      action: entry.action,
      subject: entry.subject,
      details: entry.details ?? {},
      prevHash: prev.hash,
    };
    const record = { ...content, hash: auditRecordHash(content) };
    records.push(record);
    prev = record;
  }
  return records;
}

/**
 * What is wrong at one place in the chain. `modified`: the content does not match its hash.
 * `gap`: seqs are missing (or are stored out of order). `out-of-order`: a seq lower than one
 * already seen. `broken-link`: `prevHash` is not the previous record's hash. `head-mismatch`: the
 * chain does not end where the head says (a removed last record, or records past the head).
 * `malformed`: not an audit record at all. `unreadable`: the store cannot read the document.
 * `shrunk`: a head recorded elsewhere is past the chain's end or its record is gone (records were
 * cut off). `rewritten`: the record at a recorded head has another hash.
 */
export interface AuditProblem {
  readonly seq: number;
  readonly kind:
    | 'modified'
    | 'gap'
    | 'out-of-order'
    | 'broken-link'
    | 'head-mismatch'
    | 'malformed'
    | 'unreadable'
    | 'shrunk'
    | 'rewritten';
  readonly message: string;
}

/** The outcome of a verification: a result to report, never an exception. */
export interface AuditVerification {
  readonly ok: boolean;
  /** Records read. */
  readonly checked: number;
  /** The highest seq seen and its hash. */
  readonly tip: ChainTip;
  /** The first `maxProblems` problems, in the order found. */
  readonly problems: AuditProblem[];
  /** All problems found, including those beyond `maxProblems`. */
  readonly problemCount: number;
}

export interface VerifyOptions {
  /**
   * The tip the store's head remembers. The head may lag behind the last record, never lead: the
   * chain must reach it, and the record at its seq must have its hash.
   */
  readonly head?: ChainTip;
  /** Heads kept outside the log; each must still be in the chain (see {@link RecordedHead}). */
  readonly recorded?: readonly RecordedHead[];
  /** Problems kept in the result (the count is always exact). Default 100. */
  readonly maxProblems?: number;
}

/**
 * Verifies records given in stored (key) order. Memory stays flat whatever the chain's length:
 * only the previous record's tip is kept. After a gap or an out-of-order record the link check is
 * skipped for that record, so one removal is reported once rather than as a cascade.
 */
export async function verifyAuditChain(
  records: Iterable<StoredItem> | AsyncIterable<StoredItem>,
  options: VerifyOptions = {},
): Promise<AuditVerification> {
  const problems: AuditProblem[] = [];
  let problemCount = 0;
  const report = (problem: AuditProblem) => {
    problemCount += 1;
    if (problems.length < (options.maxProblems ?? 100)) problems.push(problem);
  };
  const recorded = options.recorded ?? [];
  const wanted = new Set([options.head?.seq, ...recorded.map((r) => r.seq)]);
  const seen = new Map<number, string>();
  let tip = emptyTip;
  let checked = 0;
  for await (const item of records) {
    checked += 1;
    const checkedTip = isUnreadable(item)
      ? checkUnreadable(item, tip, report)
      : checkRecord(item, tip, report);
    if (checkedTip) tip = checkedTip;
    if (checkedTip && wanted.has(checkedTip.seq)) seen.set(checkedTip.seq, checkedTip.hash);
  }
  if (options.head) checkHead(options.head, tip, seen.get(options.head.seq), report);
  for (const head of recorded) checkRecordedHead(head, tip, checked, seen.get(head.seq), report);
  return { ok: problemCount === 0, checked, tip, problems, problemCount };
}

/** What a verifier reads: records, or markers of documents the store could not read. */
export type StoredItem = AuditRecord | UnreadableAuditRecord;

function isUnreadable(item: StoredItem): item is UnreadableAuditRecord {
  return typeof (item as Partial<UnreadableAuditRecord>).unreadable === 'string';
}

/** Hash of a tip whose record could not be read: the next record's link is not checked. */
const unknownHash = '';

function checkUnreadable(
  item: UnreadableAuditRecord,
  tip: ChainTip,
  report: (p: AuditProblem) => void,
): ChainTip | undefined {
  report({
    seq: item.seq,
    kind: 'unreadable',
    message: `the record at seq ${item.seq} is not readable: ${item.unreadable}`,
  });
  if (item.seq <= tip.seq) return undefined;
  if (item.seq > tip.seq + 1) reportGap(tip, item.seq, report);
  return { seq: item.seq, hash: unknownHash };
}

/** Checks one record against the tip before it; returns the new tip, or undefined to keep it. */
function checkRecord(
  record: AuditRecord,
  tip: ChainTip,
  report: (p: AuditProblem) => void,
): ChainTip | undefined {
  if (!isAuditRecord(record)) {
    report({ seq: tip.seq + 1, kind: 'malformed', message: `after seq ${tip.seq}: not an audit record` });
    return undefined;
  }
  const { seq } = record;
  const actual = auditRecordHash(record);
  if (actual !== record.hash) {
    report({
      seq,
      kind: 'modified',
      message: `seq ${seq}: content hashes to ${actual}, record says ${record.hash}`,
    });
  }
  if (seq <= tip.seq) {
    report({ seq, kind: 'out-of-order', message: `seq ${seq}: stored after seq ${tip.seq}` });
    return undefined;
  }
  if (seq > tip.seq + 1) {
    reportGap(tip, seq, report);
  } else if (tip.hash !== unknownHash && record.prevHash !== tip.hash) {
    report({
      seq,
      kind: 'broken-link',
      message: `seq ${seq}: prevHash ${record.prevHash} is not the hash of seq ${tip.seq} (${tip.hash})`,
    });
  }
  return { seq, hash: record.hash };
}

function reportGap(tip: ChainTip, seq: number, report: (p: AuditProblem) => void): void {
  const missing = seq === tip.seq + 2 ? `seq ${tip.seq + 1} is` : `seqs ${tip.seq + 1}..${seq - 1} are`;
  report({
    seq: tip.seq + 1,
    kind: 'gap',
    message: `${missing} missing or stored out of order (next is ${seq})`,
  });
}

function checkHead(
  head: ChainTip,
  tip: ChainTip,
  atHead: string | undefined,
  report: (p: AuditProblem) => void,
) {
  if (head.seq > tip.seq) {
    const message = `the head says the chain reaches seq ${head.seq}, the last record found is seq ${tip.seq}`;
    report({ seq: head.seq, kind: 'head-mismatch', message });
  } else if (atHead !== undefined && atHead !== head.hash) {
    const message = `seq ${head.seq} has hash ${atHead}, the head remembers ${head.hash}`;
    report({ seq: head.seq, kind: 'head-mismatch', message });
  }
}

/**
 * A recorded head must still be in the chain: a head past the chain's end, or whose record is
 * gone, means records were cut off (`shrunk`); another hash there means they were rewritten.
 */
function checkRecordedHead(
  head: RecordedHead,
  tip: ChainTip,
  checked: number,
  atHead: string | undefined,
  report: (p: AuditProblem) => void,
): void {
  // Seq 0 is the empty chain, which every chain extends; an unreadable record is reported already.
  if (head.seq === 0 || atHead === unknownHash) return;
  const recorded = `${head.source} recorded seq ${head.seq} (${shortHash(head.hash)})${head.at ? ` at ${head.at}` : ''}`;
  if (head.seq > tip.seq || atHead === undefined) {
    const now =
      checked === 0
        ? 'the log now has no records'
        : head.seq > tip.seq
          ? `the log now ends at seq ${tip.seq} (${shortHash(tip.hash)})`
          : `the log has no record at seq ${head.seq}`;
    report({ seq: head.seq, kind: 'shrunk', message: `the audit log shrank: ${recorded}; ${now}` });
  } else if (atHead !== head.hash) {
    report({
      seq: head.seq,
      kind: 'rewritten',
      message: `the audit log was rewritten: ${recorded}; the record at seq ${head.seq} now has hash ${shortHash(atHead)}`,
    });
  }
}

/** The first 12 hex digits of a hash, as messages show it. */
export function shortHash(hash: string): string {
  return hash === unknownHash ? 'unreadable' : hash.slice(0, 12);
}

/** True for a value with every field of an audit record, of the right type. */
export function isAuditRecord(value: unknown): value is AuditRecord {
  if (!isJsonObject(value)) return false;
  const { seq, details } = value;
  const strings = ['at', 'actor', 'action', 'subject', 'prevHash', 'hash'] as const;
  return (
    typeof seq === 'number' &&
    Number.isSafeInteger(seq) &&
    isJsonObject(details) &&
    strings.every((field) => typeof value[field] === 'string')
  );
}
