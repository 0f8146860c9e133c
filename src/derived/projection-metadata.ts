import { sha256 } from '../core/hash.js';
import { getPath, isJsonObject, type JsonObject, type JsonValue } from '../core/json.js';
import type { Ledger } from '../ledger/ledger.js';
import { type Collection, type DocKey, keyId, type WriteOp } from '../stores/store.js';
import { metadataOf, type ResolvedDerived } from './derived.js';

/*
 * Projection metadata: what repair, rebuild, backfill and cutover stamp for each derived value
 * they write, `{ projectedAt, projectionVersion, by, sourceVersion? }` (one stamp per derived
 * field and document, since fields are refreshed at different times). `derived status` and the
 * checkpoint method read it. It lives where the declaration says (`metadata`):
 *
 * - `document` (default): in the document, at `<field>.<derived field>`, `_projection` unless
 *   another top-level field is named. `contracts verify` leaves that field out of the check, so a
 *   contract with `additionalProperties: false` still passes.
 * - `ledger`: in the ledger's `projections` collection, one document per derived state and
 *   document, so the user's documents hold only their own fields. It costs one more write per
 *   batch, and one lookup per page where it is read.
 */

/** One stamp. */
export interface ProjectionStamp {
  readonly projectedAt: string;
  readonly projectionVersion: number;
  readonly by: string;
  readonly sourceVersion?: JsonValue;
}

/** The path of a declaration's stamp in its documents (metadata in the document). */
export function stampPath(derived: ResolvedDerived): string | undefined {
  const place = metadataOf(derived);
  return place.in === 'document' ? `${place.field}.${derived.field}` : undefined;
}

/** A document's stamp for this declaration, read from the document (undefined with ledger metadata). */
export function documentStamp(derived: ResolvedDerived, doc: JsonObject): JsonObject | undefined {
  const path = stampPath(derived);
  const stamp = path === undefined ? undefined : getPath(doc, path);
  return isJsonObject(stamp) ? stamp : undefined;
}

/** What a patch of the value also sets, so the stamp is written with it: nothing with ledger metadata. */
export function stampSet(derived: ResolvedDerived, stamp: ProjectionStamp): JsonObject {
  const path = stampPath(derived);
  return path === undefined ? {} : { [path]: stamp as unknown as JsonObject };
}

/** The key of a stamp in the ledger's projections. */
export function stampId(derived: ResolvedDerived, key: DocKey): string {
  return `prj-${sha256(`${derived.name}\u0000${keyId(key)}`).slice(0, 40)}`;
}

/**
 * The stamps of some documents, by keyId of their key: read from each document, or with ledger
 * metadata in one lookup of the ledger's projections.
 */
export async function readStamps(
  derived: ResolvedDerived,
  ledger: Ledger,
  docs: readonly { readonly key: DocKey; readonly doc: JsonObject }[],
): Promise<Map<string, JsonObject>> {
  const out = new Map<string, JsonObject>();
  if (metadataOf(derived).in === 'document') {
    for (const { key, doc } of docs) {
      const stamp = documentStamp(derived, doc);
      if (stamp) out.set(keyId(key), stamp);
    }
    return out;
  }
  const projections = await projectionsOf(ledger);
  const ids = new Map(docs.map(({ key }) => [stampId(derived, key), key]));
  const found = await projections.getMany([...ids.keys()]);
  for (const [id, key] of ids) {
    const stamp = found.get(keyId(id));
    if (stamp) out.set(keyId(key), stamp);
  }
  return out;
}

/**
 * Saves stamps in the ledger's projections (ledger metadata; with document metadata the stamp went
 * with the value's patch and this does nothing). Called after the values are written, so a stamp
 * never claims a value that was not: a run killed in between leaves values unstamped, which
 * `derived status` counts as of unknown age, and the next write stamps them.
 */
export async function saveLedgerStamps(
  derived: ResolvedDerived,
  ledger: Ledger,
  stamps: readonly { readonly key: DocKey; readonly stamp: ProjectionStamp }[],
): Promise<void> {
  if (metadataOf(derived).in !== 'ledger' || stamps.length === 0) return;
  const projections = await projectionsOf(ledger);
  // Several values of one document (array elements) share its stamp: the last one stands.
  const unique = [...new Map(stamps.map((s) => [keyId(s.key), s])).values()];
  const ops: WriteOp[] = unique.map(({ key, stamp }) => ({
    type: 'replace',
    upsert: true,
    doc: {
      [projections.spec.keyField]: stampId(derived, key),
      derived: derived.name,
      collection: derived.collection,
      key: key as JsonValue,
      ...(stamp as unknown as JsonObject),
    },
  }));
  await projections.write(ops);
}

function projectionsOf(ledger: Ledger): Promise<Collection> {
  return ledger.openCollection('projections');
}

/**
 * The top-level fields of a collection's documents that hold steward's projection metadata: what
 * `contracts verify` leaves out of the check. One per metadata field named by a declaration on the
 * collection that keeps its metadata in the document.
 */
export function metadataFields(declarations: Iterable<ResolvedDerived>, collection: string): string[] {
  const fields = new Set<string>();
  for (const d of declarations) {
    const place = metadataOf(d);
    if (d.collection === collection && place.in === 'document') fields.add(place.field);
  }
  return [...fields].sort();
}
