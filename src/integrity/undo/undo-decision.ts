import { canonicalJson, isJsonObject, isScalar, type JsonObject, setPath } from '../../core/json.js';
import { type DocKey, type Expectation, isDocKey, keyId, type WriteOp } from '../../stores/store.js';
import type { BeforeImage } from '../repair/before-images.js';
import type { Change } from '../repair/repair-result.js';

/** A before-image as stored in the ledger, with its id. */
export interface StoredImage extends BeforeImage {
  readonly id: string;
}

/** One write of an undo, in the user collection it goes to (by config name). */
export interface UndoWrite {
  readonly collection: string;
  readonly op: WriteOp;
}

/**
 * What to do to put one before-image back, decided from the documents as read just now:
 * - `write`: the writes that put it back; `forced` when they overwrite a change made since the
 *   repair (only with `force`);
 * - `restored`: nothing to write, the document already is as it was before the repair (an undo
 *   that stopped part-way wrote it, or the repair never got to write);
 * - `conflict`: the document changed since the repair, so putting the image back would lose that
 *   change; skipped unless forced;
 * - `failed`: the image cannot be put back automatically (it records no change).
 */
export type UndoDecision =
  | {
      readonly kind: 'write';
      readonly writes: readonly UndoWrite[];
      readonly forced: boolean;
      readonly note?: string;
    }
  | { readonly kind: 'restored' | 'conflict' | 'failed'; readonly note: string };

/** Reads a document by collection and key from what the batch read. */
export type CurrentDoc = (collection: string, key: DocKey) => JsonObject | undefined;

const already = 'already as it was before the repair';

/**
 * Decides how to put one before-image back. Pure. A document is put back only while it is
 * exactly as the repair left it (the image with the repair's change applied), so a document
 * someone changed since is never overwritten silently: it is a `conflict`, or with `force`, a
 * forced write. The write is conditional where the store seam allows (on the changed field
 * still holding what the repair wrote), so a change landing between this read and the write is
 * refused by the store too.
 */
export function decideUndo(image: StoredImage, current: CurrentDoc, force: boolean): UndoDecision {
  const change = image.change;
  if (!change)
    return {
      kind: 'failed',
      note: `the before-image records no change; restore it by hand from ${image.id}`,
    };
  if (change.type === 'insert') return undoInserts(image, change.keys, current, force);
  if (!image.doc) return { kind: 'failed', note: `the before-image holds no document; see ${image.id}` };
  const now = current(image.collection, image.key);
  return change.type === 'delete'
    ? undoDelete(image.collection, image.doc, now, force)
    : undoSet(image.collection, image.doc, change, now, force);
}

/** A patch (nullify, tombstone): the document goes back to the image while it is as the repair left it. */
function undoSet(
  collection: string,
  before: JsonObject,
  change: Change & { type: 'set' },
  now: JsonObject | undefined,
  force: boolean,
): UndoDecision {
  const replace = (expect: Expectation | undefined, upsert: boolean): UndoWrite => ({
    collection,
    op: { type: 'replace', doc: before, upsert, ...(expect ? { expect } : {}) },
  });
  if (now && same(now, before)) return { kind: 'restored', note: already };
  if (now && same(now, setPath(before, change.path, change.after)))
    return { kind: 'write', writes: [replace(expectationOf(change), false)], forced: false };
  const note = now ? 'the document changed since the repair' : 'the document was deleted since the repair';
  if (!force)
    return { kind: 'conflict', note: `${note}; left as it is (--force puts the before-image back anyway)` };
  return {
    kind: 'write',
    writes: [replace(undefined, true)],
    forced: true,
    note: `${note}; overwritten (forced)`,
  };
}

/** A deletion: the document is inserted again, which never overwrites. */
function undoDelete(
  collection: string,
  before: JsonObject,
  now: JsonObject | undefined,
  force: boolean,
): UndoDecision {
  if (!now)
    return { kind: 'write', writes: [{ collection, op: { type: 'insert', doc: before } }], forced: false };
  if (same(now, before)) return { kind: 'restored', note: already };
  const note = 'a document with this key was written since the deletion';
  if (!force)
    return { kind: 'conflict', note: `${note}; left as it is (--force puts the before-image back anyway)` };
  return {
    kind: 'write',
    writes: [{ collection, op: { type: 'replace', doc: before, upsert: true } }],
    forced: true,
    note: `${note}; overwritten (forced)`,
  };
}

/** A rehydration: the targets it inserted are deleted again, while they are as inserted. */
function undoInserts(
  image: StoredImage,
  keys: readonly DocKey[],
  current: CurrentDoc,
  force: boolean,
): UndoDecision {
  const inserted = image.inserted ?? [];
  const writes: UndoWrite[] = [];
  const changed: DocKey[] = [];
  keys.forEach((key, n) => {
    const now = current(image.collection, key);
    if (!now) return;
    if (!same(now, inserted[n] ?? {})) changed.push(key);
    if (force || same(now, inserted[n] ?? {}))
      writes.push({ collection: image.collection, op: { type: 'delete', key } });
  });
  const shown = changed.map((k) => JSON.stringify(k)).join(', ');
  if (changed.length > 0 && !force)
    return {
      kind: 'conflict',
      note: `rehydrated ${shown} changed since the repair; left as it is (--force deletes it anyway)`,
    };
  if (writes.length === 0) return { kind: 'restored', note: `${already}: the rehydrated targets are gone` };
  const forced = changed.length > 0;
  return {
    kind: 'write',
    writes,
    forced,
    ...(forced ? { note: `rehydrated ${shown} changed since the repair; deleted (forced)` } : {}),
  };
}

/**
 * The condition that the field a repair changed still holds what it wrote: the value itself for
 * a scalar (null for a nullified reference), the incident id inside a tombstone mark. None for an
 * array, which the seam cannot compare (the read just before is all there is, as in repair).
 */
function expectationOf(change: Change & { type: 'set' }): Expectation | undefined {
  if (isScalar(change.after)) return { field: change.path, value: change.after };
  if (isJsonObject(change.after) && typeof change.after.incident === 'string')
    return { field: `${change.path}.incident`, value: change.after.incident };
  return undefined;
}

/** Two documents with the same content, whatever the order of their fields. */
function same(a: JsonObject, b: JsonObject): boolean {
  return canonicalJson(a) === canonicalJson(b);
}

/** Reads a stored before-image (the ledger document) into its fields and id. */
export function storedImage(doc: JsonObject, keyField: string): StoredImage {
  const image = doc as unknown as BeforeImage;
  return { ...image, id: String(doc[keyField]) };
}

/** The keys an image's undo reads, by collection: the document repaired, or the targets inserted. */
export function keysToRead(image: StoredImage): { collection: string; keys: DocKey[] } {
  if (image.change?.type === 'insert') return { collection: image.collection, keys: [...image.change.keys] };
  return { collection: image.collection, keys: isDocKey(image.key) ? [image.key] : [] };
}

/** A stable id for a (collection, key) pair, to look documents up in what a batch read. */
export function docRef(collection: string, key: DocKey): string {
  return `${collection}\u0000${keyId(key)}`;
}
