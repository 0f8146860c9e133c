import { fnv1a } from '../../core/hash.js';

/**
 * The segment (0..n-1) a key belongs to: FNV-1a over the key's id. Hashing, rather than key
 * ranges, keeps segments exact-once even when documents are inserted while workers run.
 */
export function segmentOf(keyId: string, total: number): number {
  return fnv1a(keyId) % total;
}
