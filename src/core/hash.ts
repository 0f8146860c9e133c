import { createHash, hash } from 'node:crypto';
import { canonicalJson } from './json.js';

/** SHA-256 of a string, hex encoded. */
export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** SHA-256 over the canonical JSON of a value: equal content gives an equal hash. */
export function hashJson(value: unknown): string {
  return sha256(canonicalJson(value));
}

/**
 * A number in [0, 1) drawn from a key and a seed. Deterministic samples and canary selections use
 * it, so the same key is always in or out of the same sample on every machine and every run.
 *
 * FNV-1a over the UTF-16 code units of seed and key, then MurmurHash3's 32-bit finalizer so every
 * input bit moves every output bit. Not a cryptographic hash, and it need not be: it only has to
 * spread keys evenly, and apply asks it of every document of a collection twice, where SHA-256's
 * call cost showed in profiles.
 */
export function keyFraction(key: string | number, seed = ''): number {
  // The same FNV-1a as over `${seed}\u0000${typeof key}:${key}`, without making that string: the
  // seed's part is hashed once per seed (a plan hash is 64 characters; keys are shorter).
  let h = fnv1aOver(fnv1aOver(seededState(seed), typeKey(key)), `${key}`);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return (h >>> 0) / 0x1_0000_0000;
}

/** FNV-1a, 32 bits, over the UTF-16 code units of a string: a cheap, well-spread hash (unsigned). */
export function fnv1a(text: string): number {
  return fnv1aOver(0x811c9dc5, text) >>> 0;
}

/** `${typeof key}:` without making it for the two kinds of key there are. */
function typeKey(key: unknown): string {
  if (typeof key === 'string') return 'string:';
  return typeof key === 'number' ? 'number:' : `${typeof key}:`;
}

/** FNV-1a continued from state `h` over `text` (not yet made unsigned). */
function fnv1aOver(h: number, text: string): number {
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h;
}

let lastSeed: string | undefined;
let lastSeedState = 0;

/** The FNV-1a state after `${seed}\u0000`, remembered for the last seed asked. */
function seededState(seed: string): number {
  if (seed !== lastSeed) {
    lastSeedState = fnv1aOver(0x811c9dc5, `${seed}\u0000`);
    lastSeed = seed;
  }
  return lastSeedState;
}

/**
 * The digest of a document's stored text, where a store keeps documents as text (SQLite): SHA-256
 * of the text, base64url (43 characters, where hex would make each image element 21 bytes longer).
 * Equal digests mean equal text, hence equal content; the same content with other field order or
 * spacing has another. One function for the store (`Collection.encode`, its restore statement)
 * and for the checksums summed over stored text (`ChecksumAccumulator`), which must agree.
 */
export function storedTextDigest(text: string): string {
  return hash('sha256', text, 'base64url');
}

/**
 * {@link storedTextDigest}'s 32 bytes as 32 characters (latin1, which Node calls 'binary'), for
 * sums that add the bytes rather than keep the digest: no base64url to write and read back (a
 * Buffer would cost more than either, being allocated a document).
 */
export function storedTextDigestBytes(text: string): string {
  return hash('sha256', text, 'binary');
}
