import { createHash } from 'node:crypto';
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
 */
export function keyFraction(key: string | number, seed = ''): number {
  const digest = createHash('sha256')
    .update(`${seed}\u0000${typeof key}:${key}`)
    .digest();
  return digest.readUInt32BE(0) / 0x1_0000_0000;
}
