/**
 * The hand-written safe loops' image format (issue 17, eighth pass), one for SQLite and DynamoDB:
 * a JSON array head of four values an entry (key, written version, after digest, length of the
 * before text), and beside it the before texts as read, joined. Not escaped into the JSON as
 * strings: that cost 1.9 µs a document of 2.4 on SQLite (sqlite-safe-loop-steps.ts), and the
 * lengths give each text back byte for byte.
 */

/** One entry's four head values as JSON text, without a separator. */
export function imageHeadEntry(key: string, version: unknown, afterDigest: string, before: string): string {
  return `${JSON.stringify(key)},${JSON.stringify(version ?? null)},"${afterDigest}",${before.length}`;
}

/** An image read back: the head's values, four an entry, and the before texts cut from `body`. */
export function imageEntries(headJson: string, body: string): { head: unknown[]; befores: string[] } {
  const head = JSON.parse(headJson) as unknown[];
  const befores = new Array<string>(head.length / 4);
  for (let e = 3, i = 0, at = 0; e < head.length; e += 4, i++) {
    const length = head[e] as number;
    befores[i] = body.slice(at, at + length);
    at += length;
  }
  return { head, befores };
}
