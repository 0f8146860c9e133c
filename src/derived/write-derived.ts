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
import { sameValue } from './recompute.js';
import type { Recomputed } from './source-values.js';

/** What happened to one derived document in a repair or rebuild. */
export type WriteOutcome =
  | { readonly key: DocKey; readonly status: 'written'; readonly from: JsonValue; readonly to: JsonValue }
  | { readonly key: DocKey; readonly status: 'unchanged' }
  | {
      readonly key: DocKey;
      readonly status: 'skipped';
      readonly reason: SkipReason;
      readonly detail?: string;
    }
  | { readonly key: DocKey; readonly status: 'failed'; readonly reason: string };

/**
 * Why a document was not written: a snapshot not forced, a copy's source missing (orphan), a
 * transformation that threw, a stored value that is not a scalar (no conditional write possible),
 * or a document changed or deleted since it was read (the next check looks again).
 */
export type SkipReason = 'snapshot' | 'orphan' | 'transform-failed' | 'not-scalar' | 'changed' | 'gone';

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
  for (const row of rows) {
    const { key, doc, expected } = row;
    if (expected.status === 'orphan') outcomes.push({ key, status: 'skipped', reason: 'orphan' });
    else if (expected.status === 'failed')
      outcomes.push({ key, status: 'skipped', reason: 'transform-failed', detail: expected.reason });
    else {
      const stored = getPath(doc, derived.field);
      // A backfill writes a missing field even when its value is null: absent is not computed.
      const missing = input.by === 'backfill' && stored === undefined;
      const behind = input.restamp === true && projectionVersionOf(doc, derived.field) !== derived.version;
      if (!missing && !behind && sameValue(stored, expected.value))
        outcomes.push({ key, status: 'unchanged' });
      else if (derived.snapshot && !input.force)
        outcomes.push({ key, status: 'skipped', reason: 'snapshot' });
      else if (stored !== undefined && !isScalar(stored))
        outcomes.push({ key, status: 'skipped', reason: 'not-scalar' });
      else writes.push({ row, from: stored ?? null, to: expected.value });
    }
  }
  if (writes.length === 0 || input.dryRun) {
    for (const w of writes) outcomes.push({ key: w.row.key, status: 'written', from: w.from, to: w.to });
    return outcomes;
  }
  await saveBeforeImages(
    input,
    writes.map((w) => w.row),
  );
  const ops: WriteOp[] = writes.map(({ row, to }) => patchOf(input, row, to));
  const results = await input.target.write(ops);
  writes.forEach((w, i) => {
    const r = results[i];
    const key = w.row.key;
    if (r?.status === 'ok') outcomes.push({ key, status: 'written', from: w.from, to: w.to });
    else if (r?.status === 'conflict') outcomes.push({ key, status: 'skipped', reason: 'changed' });
    else if (r?.status === 'missing') outcomes.push({ key, status: 'skipped', reason: 'gone' });
    else
      outcomes.push({ key, status: 'failed', reason: r?.status === 'failed' ? r.reason : String(r?.status) });
  });
  const written = outcomes.filter((o) => o.status === 'written').length;
  await input.ledger.audit.append({
    action: derivedWriters[input.by],
    subject: derived.name,
    details: {
      written,
      attempted: writes.length,
      keys: writes.slice(0, 100).map((w) => w.row.key) as JsonValue,
      projectionVersion: derived.version,
    },
  });
  return outcomes;
}

/** The projection version stamped on a document's derived field, if any. */
export function projectionVersionOf(doc: JsonObject, field: string): JsonValue | undefined {
  return getPath(doc, `_projection.${field}.projectionVersion`);
}

function patchOf(input: WriteDerivedInput, row: Recomputed, to: JsonValue): WriteOp {
  const { derived } = input;
  const stored = getPath(row.doc, derived.field);
  return {
    type: 'patch',
    key: row.key,
    set: {
      [derived.field]: to,
      [`_projection.${derived.field}`]: {
        projectedAt: input.now,
        projectionVersion: derived.version,
        by: input.by,
        ...(row.sourceVersion === undefined ? {} : { sourceVersion: row.sourceVersion }),
      },
    },
    expect: { field: derived.field, value: stored as Scalar | undefined },
  };
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
  const entries = rows.map(({ key, doc }) => ({
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
