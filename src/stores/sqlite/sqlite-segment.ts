/**
 * The segment (0..n-1) a key belongs to: FNV-1a over the key's id. Hashing, rather than key
 * ranges, keeps segments exact-once even when documents are inserted while workers run.
 */
export function segmentOf(keyId: string, total: number): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < keyId.length; i++) {
    hash ^= keyId.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % total;
}
