import { hash } from 'node:crypto';
import type { JsonObject } from '../core/json.js';
import { scanPages } from '../stores/scan-pages.js';
import type { Collection } from '../stores/store.js';
import { canonicalText } from './json-values.js';

/**
 * An order-independent fingerprint of a collection's content: the number of documents and the sum,
 * modulo 2^256, of the SHA-256 of each document's canonical JSON. Any order of reading (pages,
 * segments, a store that scans unordered) gives the same value, and so does any field order
 * inside a document. Two collections with the same checksum hold the same documents, unless
 * someone crafted documents to collide on purpose; it is a witness for audits, not a signature.
 *
 * It is computed over documents as they cross the store seam, so it is only comparable with
 * checksums taken through the same seam on the same store (MongoDB's Int64 and double, for
 * example, cross as plain JSON numbers).
 */
export interface CollectionChecksum {
  readonly count: number;
  /** 64 hex digits; 64 zeros for an empty collection. */
  readonly hash: string;
}

/**
 * SHA-256 of a document's canonical JSON, hex: what the checksum sums for it. Equal for equal
 * content whatever the field order, so it also tells whether a document is still as apply wrote it.
 *
 * Why canonical JSON and SHA-256 (measured in issue 17, `bench/hash-digests.ts`, 200-byte task
 * documents): of the 2.3 µs a digest costs, the canonical text is 1.7 and SHA-256 0.5. A faster
 * digest saves nothing: SHA-1 and MD5 cost the same natively, and FNV-1a in JavaScript more.
 * Hashing the bytes the store holds (0.4 µs) is not exact: the same content stored with other
 * field order or spacing (DynamoDB keeps no field order; a restore rewrites the text as
 * `JSON.stringify` gives it) would sum differently, and rollback would report a faithful restore
 * as inexact. So the per-document digest stays a collision-resistant hash of canonical content.
 */
export function documentDigest(doc: JsonObject): string {
  return hash('sha256', canonicalText(doc), 'hex');
}

/** {@link documentDigest} of a document whose canonical text was made already (`checkedCanonicalText`). */
export function canonicalTextDigest(text: string): string {
  return hash('sha256', text, 'hex');
}

/** Each lower-case hex digit's value by its character code (digests are lower case). */
const hexDigits = new Uint8Array(128);
for (let i = 0; i < 10; i++) hexDigits[48 + i] = i;
for (let i = 0; i < 6; i++) hexDigits[97 + i] = 10 + i;

/**
 * The 32-bit number written by the 8 hex digits at `at`. A table lookup and shifts: 0.17 µs for a
 * whole digest against 0.48 for a multiply-and-add loop (issue 17, third pass), and apply adds two
 * digests a document.
 */
function hexWord(hex: string, at: number): number {
  return (
    ((hexDigits[hex.charCodeAt(at)]! << 28) |
      (hexDigits[hex.charCodeAt(at + 1)]! << 24) |
      (hexDigits[hex.charCodeAt(at + 2)]! << 20) |
      (hexDigits[hex.charCodeAt(at + 3)]! << 16) |
      (hexDigits[hex.charCodeAt(at + 4)]! << 12) |
      (hexDigits[hex.charCodeAt(at + 5)]! << 8) |
      (hexDigits[hex.charCodeAt(at + 6)]! << 4) |
      hexDigits[hex.charCodeAt(at + 7)]!) >>>
    0
  );
}

/** The checksum of no documents. */
export const emptyChecksum: CollectionChecksum = { count: 0, hash: '0'.repeat(64) };

/**
 * Adds documents one at a time, in any order. Memory is constant: eight 32-bit limbs of the sum.
 * Pure; {@link collectionChecksum} feeds it from a scan.
 */
export class ChecksumAccumulator {
  private readonly limbs = new Uint32Array(8);
  private count = 0;

  /** Continues from a checksum taken earlier (a checkpoint's), or from nothing. */
  static from(checksum: CollectionChecksum | undefined): ChecksumAccumulator {
    const accumulator = new ChecksumAccumulator();
    if (!checksum) return accumulator;
    for (let i = 0; i < 8; i++)
      accumulator.limbs[i] = Number.parseInt(checksum.hash.slice(i * 8, i * 8 + 8), 16);
    accumulator.count = checksum.count;
    return accumulator;
  }

  add(doc: JsonObject): void {
    this.addDigest(documentDigest(doc));
  }

  /** Adds a document by its {@link documentDigest}, computed earlier (apply keeps it in images). */
  addDigest(digest: string): void {
    let carry = 0;
    // Limb 7 is the least significant: the digest is read as one big-endian number.
    for (let i = 7; i >= 0; i--) {
      const sum = this.limbs[i]! + hexWord(digest, i * 8) + carry;
      this.limbs[i] = sum >>> 0;
      carry = sum > 0xffff_ffff ? 1 : 0;
    }
    this.count++;
  }

  result(): CollectionChecksum {
    const hash = [...this.limbs].map((limb) => limb.toString(16).padStart(8, '0')).join('');
    return { count: this.count, hash };
  }
}

/** The checksum of documents held in memory (tests compute expected values with it). */
export function checksumOf(docs: Iterable<JsonObject>): CollectionChecksum {
  const accumulator = new ChecksumAccumulator();
  for (const doc of docs) accumulator.add(doc);
  return accumulator.result();
}

/**
 * Streams a whole collection through {@link ChecksumAccumulator}, one page in memory at a time.
 * Reads only. A collection written to meanwhile gives a checksum of no particular moment.
 */
export async function collectionChecksum(
  collection: Collection,
  options: { pageSize?: number } = {},
): Promise<CollectionChecksum> {
  const accumulator = new ChecksumAccumulator();
  for await (const page of scanPages(collection, { limit: options.pageSize ?? 1000 }))
    for (const doc of page.docs) accumulator.add(doc);
  return accumulator.result();
}

/** True when two checksums are of the same content. */
export function sameChecksum(a: CollectionChecksum, b: CollectionChecksum): boolean {
  return a.count === b.count && a.hash === b.hash;
}
