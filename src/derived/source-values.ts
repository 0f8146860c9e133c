import type { Condition } from '../core/filter.js';
import { getPath, type JsonObject, type Scalar } from '../core/json.js';
import { scanDocuments } from '../stores/scan-pages.js';
import { type Collection, type DocKey, docKey, isDocKey, keyId } from '../stores/store.js';
import type { ResolvedDerived } from './derived.js';
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

/** A derived document with its recomputed value. */
export interface Recomputed {
  readonly key: DocKey;
  readonly doc: JsonObject;
  readonly expected: Expected;
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
  const field = derived.source.link.field;
  for await (const doc of scanDocuments(source, { filter: derived.source.where, limit })) {
    const key = getPath(doc, field);
    if (!isDocKey(key)) continue;
    const id = keyId(key);
    map.set(id, addToAggregate(derived.transform, map.get(id) ?? emptyAggregate(derived.transform), doc));
  }
  return map;
}

/**
 * Recomputes a page of derived documents. Copies (a `via` link) cost one getMany of the page's
 * distinct source keys; aggregates read the prebuilt map when given, else one filtered scan of
 * the source for the page's keys. A document without a valid key is skipped.
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
    return key === undefined ? [] : [{ key, doc }];
  });
  if (derived.source.link.by === 'via') return viaPage(derived, keyed, source);
  if (map && isFoldable(derived.transform)) {
    return keyed.map(({ key, doc }) => {
      const acc = map.get(keyId(key)) ?? emptyAggregate(derived.transform);
      return { key, doc, expected: { status: 'value', value: aggregateValue(acc) } };
    });
  }
  const sources = await sourcesByKey(
    derived,
    keyed.map((k) => k.key),
    source,
  );
  return keyed.map(({ key, doc }) => ({
    key,
    doc,
    expected: recompute(derived, doc, sources.get(keyId(key)) ?? []),
  }));
}

async function viaPage(
  derived: ResolvedDerived,
  keyed: readonly { key: DocKey; doc: JsonObject }[],
  source: Collection,
): Promise<Recomputed[]> {
  const field = derived.source.link.field;
  const wanted = new Map<string, DocKey>();
  for (const { doc } of keyed) {
    const via = getPath(doc, field);
    if (isDocKey(via)) wanted.set(keyId(via), via);
  }
  const found = wanted.size > 0 ? await source.getMany([...wanted.values()]) : new Map<string, JsonObject>();
  return keyed.map(({ key, doc }) => {
    const via = getPath(doc, field);
    const target = isDocKey(via) ? found.get(keyId(via)) : undefined;
    return { key, doc, expected: recompute(derived, doc, target ? [target] : []) };
  });
}

/**
 * The source documents linked to some derived keys, grouped by keyId: one scan with the declared
 * `where`, plus `$in` on the link field for up to 16 keys. More keys, and ObjectId keys (which
 * cannot go in a portable `$in`), are matched in memory.
 */
export async function sourcesByKey(
  derived: ResolvedDerived,
  keys: readonly DocKey[],
  source: Collection,
): Promise<Map<string, JsonObject[]>> {
  const out = new Map<string, JsonObject[]>();
  const scalars = keys.filter((k): k is string | number => typeof k !== 'object');
  const where = [...derived.source.where];
  // A few keys go down as `$in`. More are matched in memory after one scan with the `where`
  // alone: adapters test `$in` value by value (SQLite: one JSON extraction per value and row),
  // so a long `$in` costs more than it saves, and one scan beats several chunked ones.
  const filter: Condition[] =
    scalars.length === keys.length && keys.length <= maxInValues
      ? [...where, { op: 'in', path: derived.source.link.field, values: scalars as Scalar[] }]
      : where;
  await collectSources(derived, keys, filter, source, out);
  return out;
}

const maxInValues = 16;

async function collectSources(
  derived: ResolvedDerived,
  keys: readonly DocKey[],
  filter: Condition[],
  source: Collection,
  out: Map<string, JsonObject[]>,
): Promise<void> {
  const field = derived.source.link.field;
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
