import { hash } from 'node:crypto';

/**
 * The order-independent sums the hand-written safe loops keep (issue 17, eighth pass): what each
 * document's digest adds, and how. What is digested is each loop's choice: on SQLite the stored
 * text (as steward's `stored-text` checksums), on DynamoDB canonical JSON (canonical-json.ts, as
 * steward's `content` checksums there).
 */

/** SHA-256 of a text, hex: what a document (its stored text, or its canonical JSON) is recognised by. */
export function textDigest(text: string): string {
  return hash('sha256', text, 'hex');
}

/** The checksums' modulus: 2^48, so a sum of 48-bit numbers stays an exact double. */
const modulus = 2 ** 48;

/**
 * The last 48 bits of a hex digest (its last 12 digits), as a number: what the sums add. The last
 * bits, not the first, because a sum of them modulo 2^48 is the last 48 bits of steward's sum of
 * the whole digests modulo 2^256 (carries only move upwards): the loop's checksum is the last 12
 * hex digits of steward's checksum of the same documents in the same kind, exactly.
 */
export function digestTail(hex: string): number {
  return Number.parseInt(hex.slice(52), 16);
}

/**
 * Adds a digest's tail to a running sum, modulo 2^48: any order of adding gives the same sum, so
 * a collection's checksum does not depend on how it was read. 48 bits, not 256 as steward's
 * checksum: a witness that a restore is exact, not a signature (a random mismatch slips by with a
 * chance of 2^-48).
 */
export function addDigest(sum: number, tail: number): number {
  const next = sum + tail;
  return next >= modulus ? next - modulus : next;
}
