import { sha256 } from '../core/hash.js';
import {
  canonicalJson,
  getPath,
  isScalar,
  type JsonObject,
  type JsonValue,
  type Scalar,
} from '../core/json.js';
import { storeBeforeImages } from '../ledger/before-images.js';
import type { Ledger } from '../ledger/ledger.js';
import { type Collection, type DocKey, keyId, type WriteOp } from '../stores/store.js';
import type { ResolvedDerived } from './derived.js';
import { type ElementRef, storedValue, valuePath } from './derived-rows.js';
import { type ProjectionStamp, readStamps, saveLedgerStamps, stampSet } from './projection-metadata.js';
import { sameValue } from './recompute.js';
import type { Recomputed } from './source-values.js';

/** What happened to one derived value (of a document, or of one element of its array) in a repair or rebuild. */
export type WriteOutcome = { readonly key: DocKey; readonly element?: ElementRef } & (
  | { readonly status: 'written'; readonly from: JsonValue; readonly to: JsonValue }
  | { readonly status: 'unchanged' }
  | { readonly status: 'skipped'; readonly reason: SkipReason; readonly detail?: string }
  | { readonly status: 'failed'; readonly reason: string }
);

/**
 * Why a document was not written: a snapshot not forced, a copy's source missing (orphan), a
 * transformation that threw, a stored value that is not a scalar (no conditional write possible),
 * or a document changed or deleted since it was read (the next check looks again).
 */
export type SkipReason =
  | 'snapshot'
  | 'orphan'
  | 'unlinked'
  | 'transform-failed'
  | 'not-scalar'
  | 'changed'
  | 'gone';

/** The commands that write derived values, each with its audit action. */
export const derivedWriters = {
  'drift repair': 'derived.repair',
  rebuild: 'derived.rebuild',
  backfill: 'derived.backfill',
  cutover: 'derived.cutover',
} as const;
export type DerivedWriter = keyof typeof derivedWriters;

export interface WriteDerivedInput {
  readonly derived: ResolvedDerived;
  readonly target: Collection;
  readonly ledger: Ledger;
  /** What writes, recorded in the metadata, before-images and audit. */
  readonly by: DerivedWriter;
  /** Write snapshots too (the caller checked the approval). */
  readonly force?: boolean;
  readonly now: string;
  readonly dryRun?: boolean;
  /**
   * Also write documents whose value is right but whose metadata says an older projection version
   * (`rebuild --version N`): after the projection logic changed, every document ends up stamped
   * with the version that computed it, so `derived status` can tell none is left behind.
   */
  readonly restamp?: boolean;
}

/**
 * Writes recomputed values where they differ from what is stored, as one batch: before-images of
 * the documents first (insert-only in the ledger's backups, so a retry keeps the first), then one
 * bulk write of patches, each conditional on the stored value still being what was read (`expect`),
 * setting the value and its projection metadata, then one audit record for the batch.
 *
 * The metadata lives at `_projection.<field>`: `{ projectedAt, projectionVersion, by }` (seed 001
 * section 12), plus `sourceVersion` when the source declares a version field; one entry per derived
 * field so fields refreshed at different times do not share a stamp.
 */
export async function writeDerived(
  input: WriteDerivedInput,
  rows: readonly Recomputed[],
): Promise<WriteOutcome[]> {
  const { derived } = input;
  const outcomes: WriteOutcome[] = [];
  const writes: { row: Recomputed; from: JsonValue; to: JsonValue }[] = [];
  const stamps = input.restamp ? await readStamps(derived, input.ledger, rows) : undefined;
  for (const row of rows) {
    const { key, expected } = row;
    const at = row.element ? { element: row.element } : {};
    if (expected.status === 'orphan' || expected.status === 'unlinked')
      outcomes.push({ key, ...at, status: 'skipped', reason: expected.status });
    else if (expected.status === 'failed')
      outcomes.push({ key, ...at, status: 'skipped', reason: 'transform-failed', detail: expected.reason });
    else {
      const stored = storedValue(derived, row);
      // A backfill writes a missing field even when its value is null: absent is not computed.
      const missing = input.by === 'backfill' && stored === undefined;
      const version = stamps?.get(keyId(key))?.projectionVersion;
      const behind = input.restamp === true && version !== derived.version;
      if (!missing && !behind && sameValue(stored, expected.value))
        outcomes.push({ key, ...at, status: 'unchanged' });
      else if (derived.snapshot && !input.force)
        outcomes.push({ key, ...at, status: 'skipped', reason: 'snapshot' });
      else if (stored !== undefined && !isScalar(stored) && derived.element?.key === undefined)
        outcomes.push({ key, ...at, status: 'skipped', reason: 'not-scalar' });
      else writes.push({ row, from: stored ?? null, to: expected.value });
    }
  }
  const written = (w: (typeof writes)[number]): WriteOutcome => ({
    key: w.row.key,
    ...(w.row.element ? { element: w.row.element } : {}),
    status: 'written',
    from: w.from,
    to: w.to,
  });
  if (writes.length === 0 || input.dryRun) {
    for (const w of writes) outcomes.push(written(w));
    return outcomes;
  }
  await saveBeforeImages(
    input,
    writes.map((w) => w.row),
  );
  const stamp = (row: Recomputed): ProjectionStamp => ({
    projectedAt: input.now,
    projectionVersion: derived.version,
    by: input.by,
    ...(row.sourceVersion === undefined ? {} : { sourceVersion: row.sourceVersion }),
  });
  const ops: WriteOp[] = writes.map(({ row, to }) => patchOf(input, row, to, stamp(row)));
  const results = await input.target.write(ops);
  writes.forEach((w, i) => {
    const r = results[i];
    const key = w.row.key;
    const at = w.row.element ? { element: w.row.element } : {};
    if (r?.status === 'ok') outcomes.push(written(w));
    else if (r?.status === 'conflict') outcomes.push({ key, ...at, status: 'skipped', reason: 'changed' });
    else if (r?.status === 'missing') outcomes.push({ key, ...at, status: 'skipped', reason: 'gone' });
    else
      outcomes.push({
        key,
        ...at,
        status: 'failed',
        reason: r?.status === 'failed' ? r.reason : String(r?.status),
      });
  });
  const done = writes.filter((_, i) => results[i]?.status === 'ok');
  await saveLedgerStamps(
    derived,
    input.ledger,
    done.map((w) => ({ key: w.row.key, stamp: stamp(w.row) })),
  );
  await input.ledger.audit.append({
    action: derivedWriters[input.by],
    subject: derived.name,
    details: {
      written: done.length,
      attempted: writes.length,
      keys: writes.slice(0, 100).map((w) => w.row.key) as JsonValue,
      projectionVersion: derived.version,
    },
  });
  return outcomes;
}

/** The projection version stamped on a document's derived field (metadata in the document), if any. */
export function projectionVersionOf(doc: JsonObject, field: string): JsonValue | undefined {
  return getPath(doc, `_projection.${field}.projectionVersion`);
}

/**
 * The conditional patch of one value (and, with metadata in the document, its stamp). The
 * condition is that the stored value is still what was read; for a value in an element keyed by
 * `elementKey`, that the element is still where it was read (its key at that position), since
 * positions shift when elements are added or removed.
 */
function patchOf(input: WriteDerivedInput, row: Recomputed, to: JsonValue, stamp: ProjectionStamp): WriteOp {
  const { derived } = input;
  const path = valuePath(derived, row.element);
  const keyed = derived.element?.key !== undefined && row.element?.key !== undefined;
  const expect = keyed
    ? {
        field: `${derived.element!.array}.${row.element!.index}.${derived.element!.key}`,
        value: row.element!.key!,
      }
    : { field: path, value: storedValue(derived, row) as Scalar | undefined };
  return { type: 'patch', key: row.key, set: { [path]: to, ...stampSet(derived, stamp) }, expect };
}

/**
 * Before-images in the ledger's backups, keyed by derived state, key and the stored document's
 * hash: a retry of the same change keeps the first image; a later change of the same document
 * gets its own.
 */
export async function saveBeforeImages(
  input: Pick<WriteDerivedInput, 'ledger' | 'derived' | 'by' | 'now'>,
  rows: readonly Pick<Recomputed, 'key' | 'doc'>[],
): Promise<void> {
  const { ledger, derived } = input;
  const backups = await ledger.openCollection('backups');
  // Several values of one document (array elements) share its before-image.
  const docs = [...new Map(rows.map((r) => [keyId(r.key), r])).values()];
  const entries = docs.map(({ key, doc }) => ({
    id: `bkp-${sha256(`${derived.name}\u0000${keyId(key)}\u0000${canonicalJson(doc)}`).slice(0, 40)}`,
    collection: derived.collection,
    key,
    image: {
      action: input.by,
      derived: derived.name,
      collection: derived.collection,
      key: key as JsonValue,
      doc: doc as JsonObject,
      savedAt: input.now,
    },
  }));
  await storeBeforeImages(backups, entries);
}
