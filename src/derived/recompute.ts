import { matchesFilter } from '../core/filter.js';
import { canonicalJson, getPath, isJsonObject, type JsonObject, type JsonValue } from '../core/json.js';
import type { DerivedTransform, ResolvedDerived } from './derived.js';

/**
 * What recomputing one derived document gave: the expected value, `orphan` when a copy's source
 * document does not exist (a broken `via` reference, which `refs scan` reports, not drift),
 * `unlinked` when the copy's `via` field is null or missing (no source to copy from; `refs scan`
 * counts these as nulls, not orphans), or `failed` when a transformation function threw on it
 * (reported for that document only).
 */
export type Expected =
  | { readonly status: 'value'; readonly value: JsonValue }
  | { readonly status: 'orphan' }
  | { readonly status: 'unlinked' }
  | { readonly status: 'failed'; readonly reason: string };

/**
 * Recomputes a derived document's value from its linked source documents: for a `via` link the
 * source document found by that key (none: orphan), for a `key` link every source document whose
 * key field holds the derived key, for a `self` link the document's own fields. `target` is what
 * holds the value: the document, or for a value in an array element, that element. Source
 * documents not matching the declared `where` are ignored here too, so callers may hand over
 * unfiltered documents. Pure.
 */
export function recompute(
  derived: ResolvedDerived,
  doc: JsonObject,
  sources: readonly JsonObject[],
  target: JsonObject = doc,
): Expected {
  const matching = sources.filter((s) => matchesFilter(s, derived.source.where));
  if (derived.source.link.by === 'via' && matching.length === 0) return { status: 'orphan' };
  try {
    const value =
      derived.source.link.by === 'self'
        ? applySelf(derived.transform, target, doc)
        : apply(derived.transform, target, matching, doc);
    return { status: 'value', value };
  } catch (error) {
    return { status: 'failed', reason: error instanceof Error ? error.message : String(error) };
  }
}

function apply(
  transform: DerivedTransform,
  target: JsonObject,
  sources: readonly JsonObject[],
  doc: JsonObject,
): JsonValue {
  switch (transform.type) {
    case 'count':
      return sources.length;
    case 'copy':
      return getPath(sources[0]!, transform.field) ?? null;
    case 'function':
      return transform.fn(target, sources, doc) ?? null;
    case 'multiply':
      return product(sources[0] ?? {}, transform.fields);
    default: {
      let acc = emptyAggregate(transform);
      for (const s of sources) acc = addToAggregate(transform, acc, s);
      return aggregateValue(acc);
    }
  }
}

/**
 * A value computed from the document's own fields (`source: 'self'`), or from the element's when
 * the value lives in an array element: no source is read. `sum`, `min` and `max` take every value
 * their path gives, through arrays written `[]` (`lines[].line_total`); a function gets the
 * element (or document), the document as its only source, and the document.
 */
function applySelf(transform: DerivedTransform, target: JsonObject, doc: JsonObject): JsonValue {
  switch (transform.type) {
    case 'copy':
      return gatherPath(target, transform.field)[0] ?? null;
    case 'multiply':
      return product(target, transform.fields);
    case 'function':
      return transform.fn(target, [doc], doc) ?? null;
    case 'sum':
    case 'min':
    case 'max': {
      let acc = emptyAggregate(transform);
      for (const value of gatherPath(target, transform.field))
        acc = addToAggregate(transform, acc, { value }, 'value');
      return aggregateValue(acc);
    }
    default:
      throw new Error(`a ${transform.type} transform cannot read its own document`);
  }
}

/** The product of numeric fields; null when any of them is not a number (missing, null, text). */
function product(doc: JsonObject, fields: readonly string[]): JsonValue {
  let out = 1;
  for (const field of fields) {
    const v = getPath(doc, field);
    if (typeof v !== 'number') return null;
    out *= v;
  }
  return out;
}

/**
 * Every value a path gives, where `[]` after a step goes through each element of the array there
 * (`lines[].line_total`: each line's total). Missing values, and elements that are not objects
 * where the path goes on, give nothing. Without `[]` it is the one value at the path, if any.
 */
export function gatherPath(value: JsonObject, path: string): JsonValue[] {
  const at = path.indexOf('[]');
  if (at < 0) {
    const v = getPath(value, path);
    return v === undefined ? [] : [v];
  }
  const array = getPath(value, path.slice(0, at));
  const rest = path.slice(at + 2).replace(/^\./, '');
  if (!Array.isArray(array)) return [];
  if (rest === '') return array;
  return array.flatMap((element) => (isJsonObject(element) ? gatherPath(element, rest) : []));
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
export function addToAggregate(
  transform: DerivedTransform,
  acc: Aggregate,
  source: JsonObject,
  field?: string,
): Aggregate {
  acc.n++;
  switch (transform.type) {
    case 'count':
      acc.value = acc.n;
      return acc;
    case 'sum': {
      const v = getPath(source, field ?? transform.field);
      if (typeof v === 'number') acc.value = (acc.value as number) + v;
      return acc;
    }
    case 'min':
    case 'max': {
      const v = getPath(source, field ?? transform.field);
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
