import { isJsonObject, type JsonObject, type JsonValue } from '../../core/json.js';

/**
 * What a status pass keeps of a derived collection while streaming it: counts and extremes only,
 * never a document, so memory stays flat however large the collection is.
 */
export interface FreshnessTally {
  documents: number;
  /** Documents without a readable stamp (`projectedAt`): their freshness is unknown. */
  withoutMetadata: number;
  /** Documents projected before the allowance's cutoff. */
  olderThanAllowance: number;
  /** Documents written by projection logic older than the declared `version` (section 10). */
  oldProjectionVersion: number;
  oldestProjectedAt?: string;
  newestProjectedAt?: string;
  minSourceVersion?: number | string;
  maxSourceVersion?: number | string;
}

export function emptyTally(): FreshnessTally {
  return { documents: 0, withoutMetadata: 0, olderThanAllowance: 0, oldProjectionVersion: 0 };
}

/**
 * Folds one derived document into the tally, from its projection stamp (see
 * `projection-metadata.ts`: `{ projectedAt, projectionVersion, sourceVersion? }`), undefined when
 * it carries none. ISO 8601 times in UTC compare as text, so `cutoff` (now minus the allowance)
 * needs no date parsing per document.
 */
export function tallyStamp(
  tally: FreshnessTally,
  meta: JsonObject | undefined,
  version: number,
  cutoff: string | undefined,
): void {
  tally.documents += 1;
  const at = isJsonObject(meta) ? meta.projectedAt : undefined;
  if (!isJsonObject(meta) || typeof at !== 'string') {
    tally.withoutMetadata += 1;
    return;
  }
  if (tally.oldestProjectedAt === undefined || at < tally.oldestProjectedAt) tally.oldestProjectedAt = at;
  if (tally.newestProjectedAt === undefined || at > tally.newestProjectedAt) tally.newestProjectedAt = at;
  if (cutoff !== undefined && at < cutoff) tally.olderThanAllowance += 1;
  if (typeof meta.projectionVersion === 'number' && meta.projectionVersion < version)
    tally.oldProjectionVersion += 1;
  const sv = meta.sourceVersion;
  if (typeof sv === 'number' || typeof sv === 'string') {
    if (tally.minSourceVersion === undefined || less(sv, tally.minSourceVersion)) tally.minSourceVersion = sv;
    if (tally.maxSourceVersion === undefined || less(tally.maxSourceVersion, sv)) tally.maxSourceVersion = sv;
  }
}

/** Orders versions: numbers by value, anything else (ISO times) as text. */
export function less(a: JsonValue, b: JsonValue): boolean {
  if (typeof a === 'number' && typeof b === 'number') return a < b;
  return String(a) < String(b);
}
