import type { JsonObject, Scalar } from '../../core/json.js';
import {
  type Collection,
  type DocKey,
  type EncodedDocument,
  keyId,
  type WriteOp,
  type WriteResult,
} from '../../stores/store.js';
import {
  type BatchImage,
  batchImageId,
  dropReplacedChunks,
  type ImageEntry,
  type ImageOwner,
  imageFromHead,
  readBatchImage,
  saveBatchImage,
  storedEntry,
} from '../batch-images.js';
import {
  beforeImageId,
  beforeImagesIn,
  type MigrationBeforeImage,
  saveBeforeImages,
} from '../before-images.js';
import { type DigestKind, documentDigest } from '../collection-checksum.js';
import type { DocumentPlan } from './document-plan.js';

/** One document of a batch: as read, and what apply plans for it. */
export interface PlannedDocument {
  readonly doc: JsonObject;
  readonly plan: DocumentPlan;
  /**
   * For a `write` in a `content` attempt, the `documentDigest` of what it writes: kept in the
   * image for rollback. Absent in a `stored-text` attempt, where the digest of the text written
   * (`Collection.encode`) serves instead.
   */
  readonly digest?: string;
  /** In a `stored-text` attempt, the document's stored text as read (`Page.texts`). */
  readonly text?: string;
}

/**
 * Plans a document and, when it is to be written in a `content` attempt, digests what will be
 * written; a `stored-text` attempt passes the stored text read instead (see {@link DigestKind}).
 */
export function plannedDocument(
  doc: JsonObject,
  plan: DocumentPlan,
  kind: DigestKind = 'content',
  text?: string,
): PlannedDocument {
  if (kind === 'stored-text') return text === undefined ? { doc, plan } : { doc, plan, text };
  if (plan.kind !== 'write') return { doc, plan };
  // The digest of the canonical text made when `up`'s result was checked, when the plan has it.
  return { doc, plan, digest: plan.digest ?? documentDigest(plan.next) };
}

/** What became of one planned document, with the document as it was before apply touched it. */
export type WrittenDocument =
  | {
      readonly outcome: 'changed';
      readonly original: JsonObject;
      /** The digest of the text written, where the store encodes (`Collection.encode`). */
      readonly textDigest?: string;
    }
  /**
   * At the target already, changed by an earlier run of this attempt (its image says how it was:
   * `original`, and its stored text where the image keeps it).
   */
  | { readonly outcome: 'changed-before'; readonly original: JsonObject; readonly originalText?: string }
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
  /** The apply pass, and the batch's name in it (see `batchName`). */
  readonly stage: string;
  readonly batch: string;
  readonly now: string;
}

/**
 * Applies a planned batch: saves the batch's before-image (and markers for documents found at
 * the target), then writes every rewritten document in one bulk call, each on condition that its
 * version field still holds what was read. Returns one result per document, in order.
 *
 * Crash safety: the batch image is saved, durably and whole, before any document of the batch is
 * written (where the store pushes it down, as on SQLite, in the same transaction as the writes,
 * copied from the stored rows: the image and the writes commit together or not at all). A rerun of the batch after a crash reads it under the same name: a document the
 * crashed run wrote is found at the target and counted as changed, its original carried over from
 * the image, so counts and checksums come out as in an uninterrupted run. The image is rewritten
 * with the originals of what this run writes (a document changed between the crashed run and its
 * retry is imaged as it is now, which is what rollback must restore) and without entries of
 * documents whose write did not happen.
 */
export async function writeBatch(
  target: BatchTarget,
  planned: readonly PlannedDocument[],
): Promise<WrittenDocument[]> {
  const owner = { migration: target.migration, attempt: target.attempt, collection: target.name };
  const { prior, marked } = await readBatchState(target, owner, planned);
  const carried = new Map(prior?.entries.map((e) => [keyId(e.key), e]));
  const writes: ImageEntry[] = [];
  const held: ImageEntry[] = [];
  const markers: MigrationBeforeImage[] = [];
  const ops: WriteOp[] = [];
  // Where the store keeps the text it writes (SQLite), the image also keeps that text's digest:
  // rollback then checks a document unchanged by hashing its stored text (see `ImageEntry`). The
  // store encodes the document once (`Collection.encode`), and the write carries that encoding:
  // the text written is the text digested, one `JSON.stringify` serving both.
  const encode = target.collection.encode?.bind(target.collection);
  const encodings: (EncodedDocument | undefined)[] = [];
  for (const { doc, plan, digest, text } of planned) {
    if (plan.kind === 'write') {
      const encoded = encode?.(plan.next);
      encodings.push(encoded);
      const version = versionOf(plan.next, target.versionField);
      writes.push(imageEntry(plan.key, doc, version, digest, encoded, text));
      // In a `stored-text` attempt the write holds on the text read (see `Expectation.storedText`).
      const expect =
        text === undefined
          ? { field: target.versionField, value: plan.expect }
          : { field: target.versionField, value: plan.expect, storedText: text };
      ops.push(
        encoded
          ? { type: 'replace', doc: plan.next, encoded, expect }
          : { type: 'replace', doc: plan.next, expect },
      );
    } else if (plan.kind === 'at-target') {
      const entry = carried.get(keyId(plan.key));
      if (entry) held.push(entry);
      else if (!marked.has(keyId(plan.key))) markers.push(marker(target, plan.key, doc));
    }
  }
  held.push(...(await strayEntries(target, planned, carried)));
  const entries = [...writes, ...held];
  await saveBeforeImages(target.backups, markers);
  const image = { ...owner, stage: target.stage, savedAt: target.now };
  // A `stored-text` attempt has every original's stored text in hand and writes on condition that
  // the stored text is still it, so its image is saved as it is, before the writes, and nothing can
  // land between the image and a write unseen: the store's copy (`imagedWrite`) would only read the
  // texts again. Saved so, apply costs 8-15% less CPU on SQLite (issue 17, ninth pass).
  const textsInHand = writes.length > 0 && writes.every((entry) => entry.docText !== undefined);
  const first =
    entries.length > 0 || prior
      ? ((textsInHand ? undefined : await imagedWrite(target, image, { writes, held }, ops, prior)) ??
        (await savedThenWritten(target, image, entries, ops, prior)))
      : { saved: undefined, results: ops.length > 0 ? await target.collection.write(ops) : [] };
  const results = first.results;
  let saved = first.saved;
  const out: WrittenDocument[] = [];
  const undone = new Set<string>();
  let w = 0;
  for (const { doc, plan } of planned) {
    if (plan.kind === 'failed')
      out.push({ outcome: 'failed', original: doc, key: plan.key ?? null, reason: plan.reason });
    else if (plan.kind === 'unchanged') out.push({ outcome: 'skipped', original: doc });
    else if (plan.kind === 'at-target') {
      const before = carried.get(keyId(plan.key));
      out.push(
        before
          ? before.docText === undefined
            ? { outcome: 'changed-before', original: before.doc }
            : { outcome: 'changed-before', original: before.doc, originalText: before.docText }
          : { outcome: 'skipped', original: doc },
      );
    } else {
      const encoded = encodings[w];
      const result = results[w++];
      if (result?.status === 'ok')
        out.push(
          encoded
            ? { outcome: 'changed', original: doc, textDigest: encoded.textDigest }
            : { outcome: 'changed', original: doc },
        );
      else {
        undone.add(keyId(plan.key));
        out.push({
          outcome: 'failed',
          original: doc,
          key: plan.key,
          reason: refusal(result, target.versionField, plan.expect),
        });
      }
    }
  }
  // Rollback must never "restore" a document apply did not change, which someone else may have
  // changed since: the image is saved again without the documents whose write did not happen.
  // It is read back (a rare path) because a pushed-down image holds the originals as stored.
  if (saved && undone.size > 0) {
    const stored = (await readBatchImage(target.backups, owner, target.batch))?.entries ?? entries;
    const kept = stored.filter((e) => !undone.has(keyId(e.key)));
    const again = await saveBatchImage(target.backups, image, target.batch, kept, saved);
    await dropReplacedChunks(target.backups, owner, target.batch, saved, again);
    saved = again;
  }
  if (saved) await dropReplacedChunks(target.backups, owner, target.batch, prior, saved);
  return out;
}

/**
 * What the ledger holds for this batch, in one read of the backups collection: the image an
 * earlier run of the batch saved (its head; other chunks only when it has them), and the markers
 * of the documents found at the target (a batch of the rest pass meets the canary's documents
 * there). One `getMany` instead of one read for each, which on FerretDB is a scan each.
 */
async function readBatchState(
  target: BatchTarget,
  owner: ImageOwner,
  planned: readonly PlannedDocument[],
): Promise<{ prior: BatchImage | undefined; marked: Map<string, MigrationBeforeImage> }> {
  const head = batchImageId(owner, target.batch);
  const atTarget = planned.flatMap((p) => (p.plan.kind === 'at-target' ? [p.plan.key] : []));
  const markerIds = atTarget.map((key) =>
    beforeImageId(owner.migration, owner.attempt, owner.collection, key),
  );
  const found = await target.backups.getMany([head, ...markerIds]);
  const prior = await imageFromHead(target.backups, owner, target.batch, found.get(keyId(head)));
  return { prior, marked: beforeImagesIn(found, owner, atTarget) };
}

/**
 * The batch image and the writes as one pushdown where the store has it
 * (`Collection.writeWithCopy`: on SQLite one `INSERT ... SELECT` in the writes' transaction, the
 * originals copied from the stored rows, never serialized again here); undefined elsewhere. The
 * image is then one chunk: the store holding it has no item size limit.
 */
async function imagedWrite(
  target: BatchTarget,
  image: ImageOwner & { readonly stage: string; readonly savedAt: string },
  entries: { readonly writes: readonly ImageEntry[]; readonly held: readonly ImageEntry[] },
  ops: readonly WriteOp[],
  prior: BatchImage | undefined,
): Promise<ImagedWrite | undefined> {
  if (!target.collection.writeWithCopy) return undefined;
  const run = prior ? prior.run + 1 : 0;
  const head: JsonObject = {
    [target.backups.spec.keyField]: batchImageId(image, target.batch),
    migration: image.migration,
    attempt: image.attempt,
    collection: image.collection,
    part: 'head',
    stage: image.stage,
    batch: target.batch,
    run,
    chunks: 1,
    savedAt: image.savedAt,
    // Carried and stray entries (earlier runs' originals) are kept as they were saved.
    entries: entries.held.map(storedEntry) as unknown as JsonObject[],
  };
  // A write's original is copied from the stored row, as the stored text byte for byte
  // (`docText`), so rollback puts back the very bytes: the entry crosses without its document
  // (nor the text read, which a stored-text attempt's entry holds for the generic path).
  const copies = entries.writes.map(({ doc: _original, docText: _text, ...entry }) => ({
    key: entry.key,
    entry: entry as unknown as JsonObject,
  }));
  // Called directly, not through `writeWithCopy`: where it cannot push down (the ledger in another
  // database), the caller's generic path chunks the image, which that function's fallback does not.
  const results = await target.collection.writeWithCopy(ops, {
    into: target.backups,
    doc: head,
    field: 'entries',
    as: 'docText',
    asText: true,
    copies,
  });
  if (!results) return undefined;
  return { saved: { run, chunks: 1, entries: [...entries.writes, ...entries.held] }, results };
}

/** The image as saved (undefined when none was), and the writes' results in order. */
interface ImagedWrite {
  readonly saved: BatchImage | undefined;
  readonly results: WriteResult[];
}

/** The generic path: the image saved (chunked, within any item size limit) first, then the writes. */
async function savedThenWritten(
  target: BatchTarget,
  image: ImageOwner & { readonly stage: string; readonly savedAt: string },
  entries: readonly ImageEntry[],
  ops: readonly WriteOp[],
  prior: BatchImage | undefined,
): Promise<ImagedWrite> {
  const saved = await saveBatchImage(target.backups, image, target.batch, entries, prior);
  return { saved, results: ops.length > 0 ? await target.collection.write(ops) : [] };
}

/**
 * Entries of the earlier image for documents this batch did not read (the page moved: documents
 * were inserted or deleted since the crashed run) that are still as that run wrote them: their
 * originals must not be lost when the image is saved again. Entries of documents the crashed run
 * did not get to write are dropped; this run or a later batch images them again.
 */
async function strayEntries(
  target: BatchTarget,
  planned: readonly PlannedDocument[],
  carried: ReadonlyMap<string, ImageEntry>,
): Promise<ImageEntry[]> {
  if (carried.size === 0) return [];
  const read = new Set(planned.flatMap((p) => (p.plan.key === undefined ? [] : [keyId(p.plan.key)])));
  const strays = [...carried.values()].filter((e) => !read.has(keyId(e.key)));
  if (strays.length === 0) return [];
  const current = await target.collection.getMany(strays.map((e) => e.key));
  return strays.filter((e) => {
    const doc = current.get(keyId(e.key));
    return doc !== undefined && versionOf(doc, target.versionField) === e.writtenVersion;
  });
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

function marker(target: BatchTarget, key: DocKey, doc: JsonObject): MigrationBeforeImage {
  return {
    migration: target.migration,
    attempt: target.attempt,
    collection: target.name,
    key,
    doc: null,
    writtenVersion: versionOf(doc, target.versionField),
    savedAt: target.now,
  };
}

/**
 * A written document's image entry, fields in the order images have always stored them. Object
 * literals, not spreads of optional parts: apply makes one a written document (issue 17, sixth pass).
 */
function imageEntry(
  key: DocKey,
  doc: JsonObject,
  writtenVersion: Scalar,
  digest: string | undefined,
  encoded: EncodedDocument | undefined,
  text: string | undefined,
): ImageEntry {
  if (!digest) {
    // A `stored-text` attempt: the text digest alone tells rollback the document is as written,
    // and the stored text read is what rollback puts back (where the image is saved here, not
    // copied by the store).
    if (!encoded) return { key, doc, writtenVersion };
    if (text === undefined) return { key, doc, writtenVersion, writtenTextDigest: encoded.textDigest };
    return { key, doc, writtenVersion, writtenTextDigest: encoded.textDigest, docText: text };
  }
  if (!encoded) return { key, doc, writtenVersion, writtenDigest: digest };
  return { key, doc, writtenVersion, writtenDigest: digest, writtenTextDigest: encoded.textDigest };
}

/** The version field's value, null when absent (an image records it as the store compares it). */
function versionOf(doc: JsonObject, versionField: string): Scalar {
  return (doc[versionField] as Scalar | undefined) ?? null;
}
