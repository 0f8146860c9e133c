import type { JsonObject } from '../../core/json.js';
import { type CollectionRewrite, planDocument } from '../apply/document-plan.js';
import type { MigrationBeforeImage } from '../before-images.js';
import { documentDigest } from '../collection-checksum.js';
import { canonicalText, sameJson } from '../json-values.js';
import type { Migration } from '../migration.js';
import { migrateDown, migrateUp } from '../transform-document.js';

/**
 * What rollback does with one before-image and the document as it is now:
 * - `restore`: put the image back, on condition the version field still holds what apply wrote;
 *   with `overwrites`, the document changed since apply (same version, other content) and the
 *   migration has no exact `down`: the image wins, and the overwritten content is kept aside;
 * - `down`: the document changed since apply, and `down()` converts it back exactly (`up` of the
 *   result gives the document again), so the later change survives the rollback;
 * - `already`: the document equals its image (restored by an earlier run);
 * - `marker`: the document was at the target before apply: left alone;
 * - `failed`: deleted since apply, or moved to another version: left as it is, reported.
 *
 * Whether a document changed since apply is told by the digest of what apply wrote, kept in the
 * image; for an image without one, by rewriting the image again as apply did (`up` is pure: what
 * apply wrote is `planDocument(image)`). Without either (no digest, no migration file) that cannot
 * be told, and the image is restored.
 */
export type RestorePlan =
  | { readonly kind: 'restore'; readonly doc: JsonObject; readonly overwrites?: JsonObject }
  | { readonly kind: 'down'; readonly doc: JsonObject }
  | { readonly kind: 'already' }
  | { readonly kind: 'marker' }
  | { readonly kind: 'failed'; readonly reason: string };

/** Plans one restore. Pure. */
export function planRestore(
  image: MigrationBeforeImage,
  current: JsonObject | undefined,
  versionField: string,
  rewrite: CollectionRewrite | undefined,
): RestorePlan {
  if (image.doc === null) return { kind: 'marker' };
  if (!current)
    return {
      kind: 'failed',
      reason: 'deleted since apply; not restored (its before-image stays in the ledger)',
    };
  if (sameJson(current, image.doc)) return { kind: 'already' };
  const version = current[versionField] ?? null;
  if (version !== image.writtenVersion)
    return {
      kind: 'failed',
      reason: `${versionField} is ${JSON.stringify(version)} since apply wrote ${JSON.stringify(image.writtenVersion)}; left as it is`,
    };
  if (!changedSinceApply(image, image.doc, current, rewrite)) return { kind: 'restore', doc: image.doc };
  const converted = rewrite && exactDown(current, rewrite);
  return converted
    ? { kind: 'down', doc: converted }
    : { kind: 'restore', doc: image.doc, overwrites: current };
}

/** False when the document is as apply wrote it, or when that cannot be told (see above). */
function changedSinceApply(
  image: MigrationBeforeImage,
  before: JsonObject,
  current: JsonObject,
  rewrite: CollectionRewrite | undefined,
): boolean {
  if (image.writtenDigest) return documentDigest(current) !== image.writtenDigest;
  const written = rewrite && planDocument(before, rewrite);
  // Compared as the digest compares them, by canonical text, not with `sameJson`: what apply wrote
  // went through JSON text, where `-0` is `0`, so `up` giving `-0` must match the `0` read back.
  return written?.kind === 'write' && canonicalText(current) !== canonicalText(written.next);
}

/**
 * `down(doc)` when the migration has a `down` that is exact on this document (`up(down(doc))`
 * gives `doc` back), otherwise undefined. Rollback uses `down` only then: before-images are
 * exact by construction, a `down` only where it is shown to be.
 */
export function exactDown(
  doc: JsonObject,
  rewrite: { migration: Migration | undefined; keyField: string; versionField: string },
): JsonObject | undefined {
  const { migration, keyField, versionField } = rewrite;
  if (!migration?.down) return undefined;
  const down = migrateDown(migration, doc, keyField, versionField);
  if (down.status !== 'changed') return undefined;
  const up = migrateUp(migration, down.doc, keyField, versionField);
  return up.status === 'changed' && sameJson(up.doc, doc) ? down.doc : undefined;
}
