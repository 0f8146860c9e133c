import type { JsonObject, Scalar } from '../../core/json.js';
import { type Collection, type DocKey, keyId, type WriteOp } from '../../stores/store.js';
import {
  beforeImageId,
  type MigrationBeforeImage,
  readBeforeImages,
  saveBeforeImages,
} from '../before-images.js';
import type { DocumentPlan } from './document-plan.js';

/** One document of a batch: as read, and what apply plans for it. */
export interface PlannedDocument {
  readonly doc: JsonObject;
  readonly plan: DocumentPlan;
}

/** What became of one planned document, with the document as it was before apply touched it. */
export type WrittenDocument =
  | { readonly outcome: 'changed'; readonly original: JsonObject }
  /** At the target already, changed by an earlier run of this attempt (its image says how it was). */
  | { readonly outcome: 'changed-before'; readonly original: JsonObject }
  | { readonly outcome: 'skipped'; readonly original: JsonObject }
  | {
      readonly outcome: 'failed';
      readonly original: JsonObject;
      readonly key: DocKey | null;
      readonly reason: string;
    };

export interface BatchTarget {
  readonly backups: Collection;
  readonly collection: Collection;
  /** steward's name of the collection, as images record it. */
  readonly name: string;
  readonly versionField: string;
  readonly migration: string;
  readonly attempt: number;
  readonly now: string;
}

/**
 * Applies a planned batch: saves the before-images (and markers for documents found at the
 * target), then writes every rewritten document in one bulk call, each on condition that its
 * version field still holds what was read. Returns one result per document, in order.
 *
 * Crash safety: every image is saved before any document of the batch is written (see
 * `before-images.ts` for why they are upserts); a document written by a run that died before its
 * checkpoint is found at the target on the rerun and counted as changed, from its image, so
 * counts and checksums come out as in an uninterrupted run.
 */
export async function writeBatch(
  target: BatchTarget,
  planned: readonly PlannedDocument[],
): Promise<WrittenDocument[]> {
  const atTarget = planned.flatMap((p) => (p.plan.kind === 'at-target' ? [p.plan.key] : []));
  const of = { migration: target.migration, attempt: target.attempt, collection: target.name };
  const known = await readBeforeImages(target.backups, of, atTarget);
  const images: MigrationBeforeImage[] = [];
  const ops: WriteOp[] = [];
  for (const { doc, plan } of planned) {
    if (plan.kind === 'write') {
      images.push(image(target, plan.key, doc, versionOf(plan.next, target.versionField)));
      ops.push({
        type: 'replace',
        doc: plan.next,
        expect: { field: target.versionField, value: plan.expect },
      });
    } else if (plan.kind === 'at-target' && !known.has(keyId(plan.key))) {
      images.push(image(target, plan.key, null, versionOf(doc, target.versionField)));
    }
  }
  await saveBeforeImages(target.backups, images);
  const results = ops.length > 0 ? await target.collection.write(ops) : [];
  const out: WrittenDocument[] = [];
  const undo: DocKey[] = [];
  let w = 0;
  for (const { doc, plan } of planned) {
    if (plan.kind === 'failed')
      out.push({ outcome: 'failed', original: doc, key: plan.key ?? null, reason: plan.reason });
    else if (plan.kind === 'unchanged') out.push({ outcome: 'skipped', original: doc });
    else if (plan.kind === 'at-target') {
      const before = known.get(keyId(plan.key))?.doc;
      out.push(
        before ? { outcome: 'changed-before', original: before } : { outcome: 'skipped', original: doc },
      );
    } else {
      const result = results[w++];
      if (result?.status === 'ok') out.push({ outcome: 'changed', original: doc });
      else {
        undo.push(plan.key);
        out.push({
          outcome: 'failed',
          original: doc,
          key: plan.key,
          reason: refusal(result, target.versionField, plan.expect),
        });
      }
    }
  }
  await dropImages(target, undo);
  return out;
}

/** Why the store did not take a write, in words for the report. */
function refusal(
  result: { status: string; reason?: string } | undefined,
  versionField: string,
  expected: Scalar | undefined,
): string {
  switch (result?.status) {
    case 'conflict':
      return `changed by someone else during apply (${versionField} no longer ${JSON.stringify(expected ?? null)}); rerun apply to retry it`;
    case 'missing':
      return 'deleted by someone else during apply';
    case 'failed':
      return `the store refused the write: ${result.reason}`;
    default:
      return 'the store returned no result for the write';
  }
}

/**
 * Removes the images of documents whose write did not happen: rollback must never "restore" a
 * document apply did not change, which someone else may have changed since.
 */
async function dropImages(target: BatchTarget, keys: readonly DocKey[]): Promise<void> {
  if (keys.length === 0) return;
  await target.backups.write(
    keys.map((key) => ({
      type: 'delete',
      key: beforeImageId(target.migration, target.attempt, target.name, key),
    })),
  );
}

function image(
  target: BatchTarget,
  key: DocKey,
  doc: JsonObject | null,
  writtenVersion: Scalar,
): MigrationBeforeImage {
  return {
    migration: target.migration,
    attempt: target.attempt,
    collection: target.name,
    key,
    doc,
    writtenVersion,
    savedAt: target.now,
  };
}

/** The version field's value, null when absent (an image records it as the store compares it). */
function versionOf(doc: JsonObject, versionField: string): Scalar {
  return (doc[versionField] as Scalar | undefined) ?? null;
}
