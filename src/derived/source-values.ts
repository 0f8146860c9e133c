import { type Condition, matchesFilter } from '../core/filter.js';
import { getPath, type JsonObject, type JsonValue, type Scalar } from '../core/json.js';
import { scanDocuments } from '../stores/scan-pages.js';
import { type Collection, type DocKey, docKey, isDocKey, keyId } from '../stores/store.js';
import { type ResolvedDerived, sourceVersionField } from './derived.js';
import { type ElementRef, elementsOf, refuseArrayCrossing } from './derived-rows.js';
import {
  type Aggregate,
  addToAggregate,
  aggregateValue,
  type Expected,
  emptyAggregate,
  isFoldable,
  recompute,
} from './recompute.js';

/**
 * How the source of an aggregate is read. `map`: one scan of the (filtered) source folds every
 * document into a running aggregate per derived key, before the derived collection is read; memory
 * holds one small aggregate per distinct key, never source documents. `per-page`: for each page of
 * derived documents, one filtered scan of the source with `$in` on the page's keys; memory holds one
 * page's sources, but each scan costs a full source read where the store has no index on the key.
 */
export type SourceStrategy = 'map' | 'per-page';

/** A derived value (of a document, or of one element of its array) with its recomputed value. */
export interface Recomputed {
  readonly key: DocKey;
  readonly doc: JsonObject;
  /** For a value inside an array element: which element. */
  readonly element?: ElementRef;
  readonly expected: Expected;
  /**
   * The greatest source version among the linked source documents (all of them, matching `where`
   * or not: a document leaving the filter changed the value too), when the source declares a
   * version field (see {@link sourceVersionField}); written as projection metadata.
   */
  readonly sourceVersion?: JsonValue;
}

/** Folded aggregates of a whole source, by keyId of the derived key. */
export type AggregateMap = Map<string, Aggregate>;

/**
 * Scans the source once (its `where` pushed down) and folds each document into the aggregate of
 * the derived key its link field holds. Only for declarative aggregates (count, sum, min, max, latest).
 */
export async function buildAggregateMap(
  derived: ResolvedDerived,
  source: Collection,
  limit = 1000,
): Promise<AggregateMap> {
  const map: AggregateMap = new Map();
  const field = linkField(derived);
  const versionField = sourceVersionField(derived.source);
  // With a version field every linked document counts for the version, so the source is read
  // unfiltered and `where` is applied here; without one, `where` goes down to the store.
  const filter = versionField ? [] : derived.source.where;
  for await (const doc of scanDocuments(source, { filter, limit })) {
    const key = getPath(doc, field);
    if (!isDocKey(key)) continue;
    const id = keyId(key);
    const acc = map.get(id) ?? emptyAggregate(derived.transform);
    if (versionField) acc.version = greatest(acc.version, getPath(doc, versionField));
    map.set(
      id,
      versionField && !matchesFilter(doc, derived.source.where)
        ? acc
        : addToAggregate(derived.transform, acc, doc),
    );
  }
  return map;
}

/** The greater of two source versions (numbers, or ISO times compared as text); null when neither. */
export function greatest(a: JsonValue | undefined, b: JsonValue | undefined): JsonValue {
  if (b === undefined || b === null || typeof b === 'object') return a ?? null;
  if (a === undefined || a === null || typeof a === 'object') return b;
  return compareVersions(a, b) < 0 ? b : a;
}

/** Orders two scalar source versions: numbers by value, anything else as text. */
export function compareVersions(a: JsonValue, b: JsonValue): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  const x = String(a);
  const y = String(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

/**
 * Recomputes a page of derived documents: one row per document, or for a value inside array
 * elements one row per element. Copies (a `via` link) cost one getMany of the page's distinct
 * source keys; a `self` link reads nothing more; aggregates read the prebuilt map when given,
 * else one filtered scan of the source for the page's keys. A document without a valid key is
 * skipped. A document-level declaration whose path goes through an array is refused (see
 * `refuseArrayCrossing`).
 */
export async function recomputePage(
  derived: ResolvedDerived,
  derivedSpec: Collection['spec'],
  docs: readonly JsonObject[],
  source: Collection,
  map?: AggregateMap,
): Promise<Recomputed[]> {
  const keyed = docs.flatMap((doc) => {
    const key = docKey(doc, derivedSpec);
    if (key === undefined) return [];
    refuseArrayCrossing(derived, doc, key);
    return [{ key, doc }];
  });
  const units = derived.element ? keyed.flatMap((k) => elementUnits(derived, k)) : keyed.map(documentUnit);
  const link = derived.source.link;
  if (link.by === 'self')
    return units.map((u) =>
      'failed' in u ? failedRow(u) : row(u, recompute(derived, u.doc, [u.doc], u.target)),
    );
  if (link.by === 'via') return viaPage(derived, link.field, units, source);
  if (map && isFoldable(derived.transform)) {
    return keyed.map(({ key, doc }) => {
      const acc = map.get(keyId(key)) ?? emptyAggregate(derived.transform);
      return withVersion(
        derived,
        { key, doc, expected: { status: 'value', value: aggregateValue(acc) } },
        acc.version,
      );
    });
  }
  const sources = await sourcesByKey(
    derived,
    keyed.map((k) => k.key),
    source,
  );
  return keyed.map(({ key, doc }) => {
    const linked = sources.get(keyId(key)) ?? [];
    return withVersion(
      derived,
      { key, doc, expected: recompute(derived, doc, linked) },
      versionOf(derived, linked),
    );
  });
}

/** What one value is computed on: the document, or one element of its array. */
type Unit =
  | {
      readonly key: DocKey;
      readonly doc: JsonObject;
      readonly element?: ElementRef;
      readonly target: JsonObject;
    }
  | { readonly key: DocKey; readonly doc: JsonObject; readonly element: ElementRef; readonly failed: string };

const documentUnit = ({ key, doc }: { key: DocKey; doc: JsonObject }): Unit => ({ key, doc, target: doc });

function elementUnits(derived: ResolvedDerived, { key, doc }: { key: DocKey; doc: JsonObject }): Unit[] {
  return elementsOf(derived, doc, key).map((u) => ({ key, doc, ...u }));
}

function row(u: Unit, expected: Expected): Recomputed {
  return { key: u.key, doc: u.doc, ...(u.element ? { element: u.element } : {}), expected };
}

function failedRow(u: Unit & { failed: string }): Recomputed {
  return row(u, { status: 'failed', reason: u.failed });
}

/** The source field a `via` or `key` link reads; a `self` link has none. */
export function linkField(derived: ResolvedDerived): string {
  const link = derived.source.link;
  if (link.by === 'self')
    throw new Error(`${derived.name} is computed from its own document: it reads no source`);
  return link.field;
}

/** The greatest source version of some source documents, or undefined when none is declared. */
function versionOf(derived: ResolvedDerived, sources: readonly JsonObject[]): JsonValue | undefined {
  const field = sourceVersionField(derived.source);
  if (!field) return undefined;
  let out: JsonValue = null;
  for (const s of sources) out = greatest(out, getPath(s, field));
  return out;
}

function withVersion(derived: ResolvedDerived, row: Recomputed, version: JsonValue | undefined): Recomputed {
  return sourceVersionField(derived.source) ? { ...row, sourceVersion: version ?? null } : row;
}

async function viaPage(
  derived: ResolvedDerived,
  field: string,
  units: readonly Unit[],
  source: Collection,
): Promise<Recomputed[]> {
  const wanted = new Map<string, DocKey>();
  for (const u of units) {
    const via = 'target' in u ? getPath(u.target, field) : undefined;
    if (isDocKey(via)) wanted.set(keyId(via), via);
  }
  const found = wanted.size > 0 ? await source.getMany([...wanted.values()]) : new Map<string, JsonObject>();
  return units.map((u) => {
    if ('failed' in u) return failedRow(u);
    const via = getPath(u.target, field);
    if (via === undefined || via === null) return row(u, { status: 'unlinked' });
    const target = isDocKey(via) ? found.get(keyId(via)) : undefined;
    const linked = target ? [target] : [];
    return withVersion(
      derived,
      row(u, recompute(derived, u.doc, linked, u.target)),
      versionOf(derived, linked),
    );
  });
}

/**
 * The source documents linked to some derived keys, grouped by keyId: one scan with the declared
 * `where`, plus `$in` on the link field for up to {@link maxInValues} keys. More keys, and ObjectId
 * keys (which cannot go in a portable `$in`), are matched in memory.
 */
export async function sourcesByKey(
  derived: ResolvedDerived,
  keys: readonly DocKey[],
  source: Collection,
): Promise<Map<string, JsonObject[]>> {
  const out = new Map<string, JsonObject[]>();
  const scalars = keys.filter((k): k is string | number => typeof k !== 'object');
  // With a version field, documents outside `where` count for the version: read them all
  // (`recompute` applies `where` itself).
  const where = sourceVersionField(derived.source) ? [] : [...derived.source.where];
  const limit = await maxInValues(source, linkField(derived));
  const filter: Condition[] =
    scalars.length === keys.length && keys.length <= limit
      ? [...where, { op: 'in', path: linkField(derived), values: scalars as Scalar[] }]
      : where;
  await collectSources(derived, keys, filter, source, out);
  return out;
}

/**
 * How many keys a lookup of source documents by `field` sends down as one `$in`. Where an index
 * starts with the field, the store looks each key up in it, so a long list (up to a re-read
 * batch) is far cheaper than a scan. Without one every `$in` is a full scan anyway, and some
 * stores test a long list value by value for every document, so only a few keys go down and more
 * are matched in memory after one scan with the `where` alone. Asked once per collection handle.
 */
export function maxInValues(collection: Collection, field: string): Promise<number> {
  let byField = inLimits.get(collection);
  if (!byField) {
    byField = new Map();
    inLimits.set(collection, byField);
  }
  let limit = byField.get(field);
  if (!limit) {
    limit = collection.listIndexes().then(
      (indexes) => (indexes.some((i) => i.fields[0] === field) ? indexedInValues : plainInValues),
      () => plainInValues,
    );
    byField.set(field, limit);
  }
  return limit;
}

const inLimits = new WeakMap<Collection, Map<string, Promise<number>>>();
const plainInValues = 16;
const indexedInValues = 1000;

async function collectSources(
  derived: ResolvedDerived,
  keys: readonly DocKey[],
  filter: Condition[],
  source: Collection,
  out: Map<string, JsonObject[]>,
): Promise<void> {
  const field = linkField(derived);
  const wanted = new Set(keys.map(keyId));
  for await (const doc of scanDocuments(source, { filter, limit: 1000 })) {
    const value = getPath(doc, field);
    if (!isDocKey(value) || !wanted.has(keyId(value))) continue;
    const id = keyId(value);
    const list = out.get(id);
    if (list) list.push(doc);
    else out.set(id, [doc]);
  }
}
