import type { Document, FindCursor } from 'mongodb';
import type { ParsedFilter } from '../../core/filter.js';
import { canonicalJson } from '../../core/json.js';

/** How long an unclaimed cursor stays open for the next page before it is closed. */
const idleMs = 30_000;

/**
 * Open server cursors of scans in progress, keyed by the token the last page returned. When the
 * next page asks for that token, the scan continues the same cursor instead of issuing a new
 * query: on MongoDB that saves an index seek per page; on FerretDB 1.24, which pushes neither sort
 * nor limit down to SQLite, it turns a full scan from O(n^2 / limit) into one pass. A token whose
 * cursor is gone (another process, an idle timeout) still resumes by a fresh query from its key.
 */
export class ScanCursors {
  private readonly open = new Map<string, { cursor: FindCursor<Document>; timer: NodeJS.Timeout }>();

  /**
   * The cache key of a scan position: the collection, the token, the filter it was read with and
   * the shape it read (`shapeId`: whole documents, keys only, which fields). The token is the same
   * either way, but the cursor is not: a projected cursor continued by a full scan would hand out
   * documents holding only their keys.
   */
  static key(collection: string, token: string, filter: ParsedFilter | undefined, shape: string): string {
    return `${collection}\u0000${token}\u0000${canonicalJson(filter ?? [])}\u0000${shape}`;
  }

  /** Removes and returns the cursor left at this position, if any. */
  take(key: string): FindCursor<Document> | undefined {
    const entry = this.open.get(key);
    if (!entry) return undefined;
    clearTimeout(entry.timer);
    this.open.delete(key);
    return entry.cursor;
  }

  /** Keeps a cursor for the page after `key`, closing it if nobody asks within the idle time. */
  keep(key: string, cursor: FindCursor<Document>): void {
    const timer = setTimeout(() => {
      this.open.delete(key);
      void cursor.close().catch(() => undefined);
    }, idleMs);
    timer.unref();
    this.open.set(key, { cursor, timer });
  }

  async closeAll(): Promise<void> {
    const entries = [...this.open.values()];
    this.open.clear();
    for (const { timer } of entries) clearTimeout(timer);
    await Promise.allSettled(entries.map(({ cursor }) => cursor.close()));
  }
}
