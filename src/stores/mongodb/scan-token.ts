import { BSON } from 'mongodb';
import { StewardError } from '../../errors/steward-error.js';

/**
 * Where a scan resumes: the last `_id` returned and, for a segment, the segment's bounds as they
 * were computed on its first page, so a resumed segment never depends on the collection's
 * current content. Serialised as canonical Extended JSON, so number widths and ObjectIds survive a
 * checkpoint.
 */
export interface ScanPosition {
  /** Last key returned; absent on the first page. */
  readonly after?: unknown;
  /** Segment `[index, total]` the position belongs to. */
  readonly segment?: readonly [number, number];
  /** Inclusive lower bound of the segment; absent for the first segment. */
  readonly lo?: unknown;
  /** Exclusive upper bound of the segment; absent for the last one. */
  readonly hi?: unknown;
}

/** Encodes a position as an opaque token. */
export function encodeToken(position: ScanPosition): string {
  return BSON.EJSON.stringify({ v: 1, ...position }, { relaxed: false });
}

/** Decodes a token made by {@link encodeToken}; throws `input.invalid` on anything else. */
export function decodeToken(token: string, collection: string): ScanPosition {
  let parsed: unknown;
  try {
    parsed = BSON.EJSON.parse(token, { relaxed: true });
  } catch {
    parsed = undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || (parsed as { v?: unknown }).v !== 1) {
    throw new StewardError(
      'input.invalid',
      `scan token for collection ${collection} was not made by the MongoDB adapter; restart the scan without it`,
      { collection },
    );
  }
  return parsed as ScanPosition;
}
