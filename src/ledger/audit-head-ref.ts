import { StewardError } from '../errors/steward-error.js';
import type { ChainTip, RecordedHead } from './audit-chain.js';
import type { Ledger } from './ledger.js';

/**
 * Audit heads as other records carry them. A head is where the audit log ended at a moment: the
 * last record's seq and hash. The log only ever grows, so any later log must still hold that
 * record with that hash; a head kept outside the log (in an approval, a migration report, a
 * lineage event, a ticket) therefore shows later whether the log was cut short or rewritten:
 * `steward audit verify --expect-head <seq>:<hash>`, or the `recorded` option of `verify`.
 *
 * The text form is `<seq>:<hash>`: the seq in decimal and the full 64-digit SHA-256 hash in
 * lowercase hex, such as `42:3f2a…` (64 digits). `0:<64 zeros>` is the empty log.
 */

/** Where the ledger's audit log ends now: `{ seq, hash }` of its last record. Reads only. */
export function auditHead(ledger: Ledger): Promise<ChainTip> {
  return ledger.audit.tip();
}

/** The `<seq>:<hash>` text of a head. */
export function formatAuditHead(head: ChainTip): string {
  return `${head.seq}:${head.hash}`;
}

const headPattern = /^(0|[1-9][0-9]{0,15}):([0-9a-f]{64})$/;

/**
 * Parses `<seq>:<hash>`; `input.invalid` (exit 2) naming `where` (such as `--expect-head`) when
 * the text is not one. Uppercase hex is accepted and lowered.
 */
export function parseAuditHead(text: string, where = 'audit head'): ChainTip {
  const match = headPattern.exec(text.trim().toLowerCase());
  const seq = Number(match?.[1]);
  if (!match || !Number.isSafeInteger(seq)) {
    throw new StewardError(
      'input.invalid',
      `${where} must be <seq>:<hash>, the seq and the 64 hex digits of the record's hash as ` +
        `"steward audit verify" prints them (got "${text}")`,
      { where },
    );
  }
  return { seq, hash: match[2]! };
}

/** A head kept outside the log, as verification takes it: `source` names it in messages. */
export function recordedHead(head: ChainTip, source: string): RecordedHead {
  return { ...head, source };
}
