import { matchesFilter } from '../core/filter.js';
import { canonicalJson, getPath, type JsonObject, type JsonValue } from '../core/json.js';
import type { DerivedTransform, ResolvedDerived } from './derived.js';

/**
 * What recomputing one derived document gave: the expected value, `orphan` when a copy's source
 * document does not exist (a broken `via` reference, which `refs scan` reports, not drift), or
 * `failed` when a transformation function threw on it (reported for that document only).
 */
export type Expected =
  | { readonly status: 'value'; readonly value: JsonValue }
  | { readonly status: 'orphan' }
  | { readonly status: 'failed'; readonly reason: string };

/**
 * Recomputes a derived document's value from its linked source documents: for a `via` link the
 * source document found by that key (none: orphan), for a `key` link every source document whose
 * key field holds the derived key. Source documents not matching the declared `where` are
 * ignored here too, so callers may hand over unfiltered documents. Pure.
 */
export function recompute(
  derived: ResolvedDerived,
  doc: JsonObject,
  sources: readonly JsonObject[],
): Expected {
  const matching = sources.filter((s) => matchesFilter(s, derived.source.where));
  if (derived.source.link.by === 'via' && matching.length === 0) return { status: 'orphan' };
  try {
    return { status: 'value', value: apply(derived.transform, doc, matching) };
  } catch (error) {
    return { status: 'failed', reason: error instanceof Error ? error.message : String(error) };
  }
}

function apply(transform: DerivedTransform, doc: JsonObject, sources: readonly JsonObject[]): JsonValue {
  switch (transform.type) {
    case 'count':
      return sources.length;
    case 'copy':
      return getPath(sources[0]!, transform.field) ?? null;
    case 'function':
      return transform.fn(doc, sources) ?? null;
    default: {
      let acc = emptyAggregate(transform);
      for (const s of sources) acc = addToAggregate(transform, acc, s);
      return aggregateValue(acc);
    }
  }
}

/** A running aggregate of one derived key: count, sum, min, max or latest, O(1) memory. */
export interface Aggregate {
  n: number;
  value: JsonValue;
  /** For `latest`: the greatest ordering value seen so far. */
  by?: JsonValue;
  /** The greatest source version of the key's documents, when the source declares one. */
  version?: JsonValue;
}

/** The aggregate of no source documents: count 0, sum 0, min/max/latest null. */
export function emptyAggregate(transform: DerivedTransform): Aggregate {
  return { n: 0, value: transform.type === 'count' || transform.type === 'sum' ? 0 : null };
}

/**
 * Folds one (already filtered) source document into an aggregate. Non-numbers are skipped by
 * sum; min and max compare numbers with numbers and strings with strings (ISO times sort as text).
 */
export function addToAggregate(transform: DerivedTransform, acc: Aggregate, source: JsonObject): Aggregate {
  acc.n++;
  switch (transform.type) {
    case 'count':
      acc.value = acc.n;
      return acc;
    case 'sum': {
      const v = getPath(source, transform.field);
      if (typeof v === 'number') acc.value = (acc.value as number) + v;
      return acc;
    }
    case 'min':
    case 'max': {
      const v = getPath(source, transform.field);
      if (v === undefined || v === null || typeof v === 'object') return acc;
      if (acc.value === null || (transform.type === 'min' ? less(v, acc.value) : less(acc.value, v)))
        acc.value = v;
      return acc;
    }
    case 'latest': {
      const by = getPath(source, transform.by);
      if (by === undefined || by === null || typeof by === 'object') return acc;
      if (acc.by === undefined || acc.by === null || less(acc.by, by)) {
        acc.by = by;
        acc.value = getPath(source, transform.field) ?? null;
      }
      return acc;
    }
    default:
      return acc;
  }
}

/** The value an aggregate stands for. */
export function aggregateValue(acc: Aggregate): JsonValue {
  return acc.value;
}

/** True when the transform can be folded one document at a time (no function, no copy). */
export function isFoldable(transform: DerivedTransform): boolean {
  return ['count', 'sum', 'min', 'max', 'latest'].includes(transform.type);
}

function less(a: JsonValue, b: JsonValue): boolean {
  if (typeof a === typeof b) return (a as number | string) < (b as number | string);
  return typeof a === 'number'; // numbers before strings, as MongoDB orders them
}

/** Canonical equality of a stored and an expected value; a missing field equals null. */
export function sameValue(stored: JsonValue | undefined, expected: JsonValue): boolean {
  return canonicalJson(stored ?? null) === canonicalJson(expected);
}
