import { keyFraction, sha256 } from '../core/hash.js';
import { canonicalJson, type JsonValue } from '../core/json.js';
import { type DocKey, keyId } from '../stores/store.js';

const modulus = 1n << 256n;

/**
 * Group hashes for the `hash` drift method. Every derived key falls in one of `groups` buckets by
 * a hash of the key, so both sides agree on the grouping without sorting. A group's hash is the
 * sum, modulo 2^256, of the SHA-256 of each (key, value) pair: the sum does not depend on the
 * order documents arrive in (DynamoDB scans are unordered), and keys are unique within a
 * collection, so no pair is counted twice. Equal group hashes mean equal content except with
 * negligible probability; a different hash proves a difference.
 */
export class GroupHashes {
  private readonly stored: bigint[];
  private readonly expected: bigint[];

  constructor(readonly groups: number) {
    this.stored = new Array<bigint>(groups).fill(0n);
    this.expected = new Array<bigint>(groups).fill(0n);
  }

  /** The group a key falls in. */
  groupOf(key: DocKey): number {
    return Math.min(this.groups - 1, Math.floor(keyFraction(keyId(key), 'drift-hash') * this.groups));
  }

  /** Adds one document's stored and expected values to its group. */
  add(key: DocKey, stored: JsonValue, expected: JsonValue): void {
    const g = this.groupOf(key);
    this.stored[g] = (this.stored[g]! + pairHash(key, stored)) % modulus;
    this.expected[g] = (this.expected[g]! + pairHash(key, expected)) % modulus;
  }

  /** The groups whose stored and expected hashes differ. */
  differing(): Set<number> {
    const out = new Set<number>();
    for (let g = 0; g < this.groups; g++) if (this.stored[g] !== this.expected[g]) out.add(g);
    return out;
  }
}

function pairHash(key: DocKey, value: JsonValue): bigint {
  return BigInt(`0x${sha256(`${keyId(key)}\u0000${canonicalJson(value)}`)}`);
}

/**
 * How many groups for about `docs` documents: groups of `groupSize` (a few tens of thousands is a
 * good size), at least one.
 */
export function groupCount(docs: number, groupSize: number): number {
  return Math.max(1, Math.ceil(docs / groupSize));
}
