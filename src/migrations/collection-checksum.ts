import { hash } from 'node:crypto';
import { storedTextDigest, storedTextDigestBytes } from '../core/hash.js';
import type { JsonObject } from '../core/json.js';
import { scanPages } from '../stores/scan-pages.js';
import type { Collection, Page } from '../stores/store.js';
import { canonicalText } from './json-values.js';

/**
 * An order-independent fingerprint of a collection's content: the number of documents and the sum,
 * modulo 2^256, of a digest of each document. Any order of reading (pages, segments, a store that
 * scans unordered) gives the same value. Two collections with the same checksum hold the same
 * documents, unless someone crafted documents to collide on purpose; it is a witness for audits,
 * not a signature.
 *
 * Two kinds of digest ({@link DigestKind}), and a checksum says which it sums:
 * - `content` (hash: 64 hex digits): SHA-256 of each document's canonical JSON, so any field order
 *   inside a document gives the same value. Computed over documents as they cross the store seam,
 *   so only comparable with checksums taken through the same seam on the same store (MongoDB's
 *   Int64 and double, for example, cross as plain JSON numbers).
 * - `stored-text` (hash: `text:` and 64 hex digits), where the store keeps each document as the text
 *   it was written in (SQLite): SHA-256 of that text, byte for byte ({@link storedTextDigest}).
 *   Why (issue 17, ninth pass): the canonical text is most of a digest's cost (1.7 of 2.3 µs a
 *   document) and apply takes two a document, while hashing the text read costs 0.4 µs and the text
 *   apply writes is hashed already for its image. It is exact there because rollback puts back
 *   each stored text byte for byte; the price is that the same content stored in another field
 *   order or spacing counts as changed (a writer that saved a document again, unchanged, between
 *   apply and rollback makes rollback's verification inexact, not wrong).
 * A checksum is only ever compared with one of the same kind: an attempt keeps the kind it began
 * with (a resumed run goes on with the kind of its checkpoint's sums), and rollback's census sums
 * the kind of the checksum it is compared with.
 */
export interface CollectionChecksum {
  readonly count: number;
  /** 64 hex digits, after `text:` for the `stored-text` kind; all zeros for an empty collection. */
  readonly hash: string;
}

/** What a checksum sums for each document (see {@link CollectionChecksum}). */
export type DigestKind = 'content' | 'stored-text';

/** The prefix of a `stored-text` checksum's hash. */
const storedTextPrefix = 'text:';

/** The kind of digest a checksum (or a checksum's hash) sums. */
export function digestKindOf(checksum: CollectionChecksum | string): DigestKind {
  const hash = typeof checksum === 'string' ? checksum : checksum.hash;
  return hash.startsWith(storedTextPrefix) ? 'stored-text' : 'content';
}

/**
 * The kind a new checksum of this collection sums: `stored-text` where the store keeps documents as
 * the text it writes and can give that text back with a scan (`Collection.encode`: SQLite), else
 * `content`.
 */
export function preferredDigestKind(collection: Collection): DigestKind {
  return collection.encode ? 'stored-text' : 'content';
}

/**
 * SHA-256 of a document's canonical JSON, hex: what the checksum sums for it. Equal for equal
 * content whatever the field order, so it also tells whether a document is still as apply wrote it.
 *
 * Why canonical JSON and SHA-256 (measured in issue 17, `bench/hash-digests.ts`, 200-byte task
 * documents): of the 2.3 µs a digest costs, the canonical text is 1.7 and SHA-256 0.5. A faster
 * digest saves nothing: SHA-1 and MD5 cost the same natively, and FNV-1a in JavaScript more.
 * Hashing the bytes the store holds (0.4 µs) is exact only where the store keeps those bytes and
 * rollback puts them back (SQLite: the `stored-text` kind above); elsewhere the same content comes
 * back in another field order (DynamoDB keeps none), so there the digest is of canonical content.
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

/** The checksum of no documents (of the `content` kind). */
export const emptyChecksum: CollectionChecksum = { count: 0, hash: '0'.repeat(64) };

/** Each base64url digit's value by its character code (stored-text digests are base64url). */
const base64UrlDigits = new Uint8Array(128);
for (const [i, c] of [...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'].entries())
  base64UrlDigits[c.charCodeAt(0)] = i;

/** The 32 bytes of a base64url digest being added (one buffer, reused: added a document at a time). */
const digestBytes = new Uint8Array(32);

/**
 * Adds documents one at a time, in any order. Memory is constant: eight 32-bit limbs of the sum.
 * Pure; {@link collectionChecksum} feeds it from a scan. Of one {@link DigestKind}: `add` takes
 * documents (content), `addText` stored texts; either kind also takes digests made earlier.
 */
export class ChecksumAccumulator {
  private readonly limbs = new Uint32Array(8);
  private count = 0;

  private constructor(readonly kind: DigestKind) {}

  /** A new sum of this kind. */
  static of(kind: DigestKind): ChecksumAccumulator {
    return new ChecksumAccumulator(kind);
  }

  /**
   * Continues from a checksum taken earlier (a checkpoint's), in its kind, or starts a sum of
   * `kind` when there is none.
   */
  static from(checksum: CollectionChecksum | undefined, kind: DigestKind = 'content'): ChecksumAccumulator {
    if (!checksum) return new ChecksumAccumulator(kind);
    const accumulator = new ChecksumAccumulator(digestKindOf(checksum));
    const hex = checksum.hash.slice(checksum.hash.length - 64);
    for (let i = 0; i < 8; i++) accumulator.limbs[i] = Number.parseInt(hex.slice(i * 8, i * 8 + 8), 16);
    accumulator.count = checksum.count;
    return accumulator;
  }

  /**
   * Adds a document: by content, or, in a `stored-text` sum, by `text`, the text the store held it
   * as (a page's `texts`). A `stored-text` sum without the text is a caller's bug, not a document's.
   */
  add(doc: JsonObject, text?: string): void {
    if (this.kind === 'content') this.addDigest(documentDigest(doc));
    else if (text !== undefined) this.addText(text);
    else throw new Error('a stored-text checksum was given a document without its stored text');
  }

  /** Adds a document of a `stored-text` sum by its stored text. */
  addText(text: string): void {
    const digest = storedTextDigestBytes(text);
    for (let i = 0; i < 32; i++) digestBytes[i] = digest.charCodeAt(i);
    this.addDigestBytes();
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

  /**
   * Adds a document by its {@link storedTextDigest} (base64url), computed earlier: the one apply
   * made of the text it wrote (`Collection.encode`). Decoded into the same 256-bit number as hex
   * would give, 6 bits a digit: 43 digits, the last carrying 4 bits and 2 of padding. Decoded
   * here, not by `Buffer.from`, which allocates a buffer a document.
   */
  addTextDigest(digest: string): void {
    // Four digits are 24 bits, three bytes: 40 digits give 30 bytes, the last 3 digits 2 more.
    const bytes = digestBytes;
    let b = 0;
    for (let i = 0; i < 40; i += 4) {
      const n =
        (base64UrlDigits[digest.charCodeAt(i)]! << 18) |
        (base64UrlDigits[digest.charCodeAt(i + 1)]! << 12) |
        (base64UrlDigits[digest.charCodeAt(i + 2)]! << 6) |
        base64UrlDigits[digest.charCodeAt(i + 3)]!;
      bytes[b++] = n >>> 16;
      bytes[b++] = (n >>> 8) & 0xff;
      bytes[b++] = n & 0xff;
    }
    const n =
      (base64UrlDigits[digest.charCodeAt(40)]! << 10) |
      (base64UrlDigits[digest.charCodeAt(41)]! << 4) |
      (base64UrlDigits[digest.charCodeAt(42)]! >>> 2);
    bytes[30] = n >>> 8;
    bytes[31] = n & 0xff;
    this.addDigestBytes();
  }

  /** Adds the digest held in `digestBytes`, read as one big-endian number. */
  private addDigestBytes(): void {
    const bytes = digestBytes;
    let carry = 0;
    for (let i = 7; i >= 0; i--) {
      const word =
        ((bytes[i * 4]! << 24) | (bytes[i * 4 + 1]! << 16) | (bytes[i * 4 + 2]! << 8) | bytes[i * 4 + 3]!) >>>
        0;
      const sum = this.limbs[i]! + word + carry;
      this.limbs[i] = sum >>> 0;
      carry = sum > 0xffff_ffff ? 1 : 0;
    }
    this.count++;
  }

  result(): CollectionChecksum {
    const hex = [...this.limbs].map((limb) => limb.toString(16).padStart(8, '0')).join('');
    return { count: this.count, hash: this.kind === 'content' ? hex : `${storedTextPrefix}${hex}` };
  }
}

/** The checksum of documents held in memory (tests compute expected values with it). */
export function checksumOf(docs: Iterable<JsonObject>): CollectionChecksum {
  const accumulator = ChecksumAccumulator.of('content');
  for (const doc of docs) accumulator.add(doc);
  return accumulator.result();
}

/**
 * Streams a whole collection through {@link ChecksumAccumulator}, one page in memory at a time, in
 * `kind` (by default the collection's {@link preferredDigestKind}: what apply records for it).
 * Reads only. A collection written to meanwhile gives a checksum of no particular moment.
 */
export async function collectionChecksum(
  collection: Collection,
  options: { pageSize?: number; kind?: DigestKind } = {},
): Promise<CollectionChecksum> {
  const accumulator = ChecksumAccumulator.of(options.kind ?? preferredDigestKind(collection));
  const texts = accumulator.kind === 'stored-text';
  for await (const page of scanPages(collection, { limit: options.pageSize ?? 1000, texts }))
    addPage(accumulator, page);
  return accumulator.result();
}

/**
 * Adds every document of a page: in a `stored-text` sum by the page's texts, which a scan asked
 * for `texts` gives (a store without them gives none, and its collections are never summed so).
 */
export function addPage(accumulator: ChecksumAccumulator, page: Page): void {
  const { docs, texts } = page;
  if (accumulator.kind === 'content') for (const doc of docs) accumulator.add(doc);
  else if (texts) for (const text of texts) accumulator.addText(text);
  else throw new Error('a stored-text checksum was given a page without its texts');
}

/** A checksum's hash shortened for reports: its first 12 hex digits, after `text:` for that kind. */
export function shortChecksum(hash: string): string {
  const prefix = digestKindOf(hash) === 'stored-text' ? storedTextPrefix : '';
  return `${prefix}${hash.slice(prefix.length, prefix.length + 12)}`;
}

/** True when two checksums are of the same content. */
export function sameChecksum(a: CollectionChecksum, b: CollectionChecksum): boolean {
  return a.count === b.count && a.hash === b.hash;
}
