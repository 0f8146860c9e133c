import { createHash } from 'node:crypto';
import { parseFilter } from '../core/filter.js';
import { isJsonObject, type JsonObject, parsedJson, parsedJsonObject, type Scalar } from '../core/json.js';
import { cutRawTexts, type RawTextsLayout, rawTextsField, rawTextsJson } from '../core/raw-texts.js';
import { StewardError } from '../errors/steward-error.js';
import { scanPages } from '../stores/scan-pages.js';
import {
  type Collection,
  type DocKey,
  type EncodedDocument,
  isDocKey,
  keyId,
  type WriteOp,
} from '../stores/store.js';

/**
 * The before-images of one written batch of apply, kept together in the ledger's `backups`: one
 * image document per batch instead of one per document, so saving them costs a write per batch.
 *
 * A batch is named by the apply pass (`canary` or `rest`) and the resume token it was read from,
 * which is what the checkpoint holds: a rerun after a crash reads the same batch under the same
 * name and finds the originals of the documents the crashed run already wrote.
 *
 * A batch image larger than {@link imageChunkBytes} is split into chunks. The first chunk is the
 * head, at a fixed id; the others carry the head's `run` in their ids. A rewrite (a rerun of the
 * batch) saves its other chunks under the next run first and the head last: the head is one
 * document, replaced whole, so it always names a complete set of chunks, whichever moment a
 * crash picks. Chunks of an older run the head no longer names are deleted after the batch's
 * writes; a crash can leave some behind, which nothing reads.
 */
export interface BatchImage {
  /** Which rewrite of the batch this is (0 for the first); names its other chunks. */
  readonly run: number;
  /** How many chunks, the head included. */
  readonly chunks: number;
  /** The documents as they were before apply wrote them, in the batch's order. */
  readonly entries: readonly ImageEntry[];
}

/**
 * One document of a batch image.
 *
 * An entry read from an image that kept the stored text (`docText`) holds both: `doc` is parsed
 * from the text when the image is read, and dropped again when the entry is saved
 * ({@link storedEntry}). Parsed on read, not lazily: images are read whole only on rare paths (a
 * rerun of a crashed batch, the documents rollback's pushdown left, the parity gate's sample), and
 * every reader wants `doc` as a plain field (spreads of a lazy getter would lose it). Dropped when
 * saved: the text is the original byte for byte, `doc` only its parse, and saving both would
 * double the image.
 */
export interface ImageEntry {
  readonly key: DocKey;
  readonly doc: JsonObject;
  /**
   * The stored text of the document before apply, byte for byte, where the store keeps text
   * (SQLite's pushdown copies it: `CopyOnWrite.asText`); saved instead of `doc`, as a JSON string,
   * or raw after the entries where the whole chunk can keep its texts so ({@link imageTexts}).
   * Rollback puts back this very text. Absent in images of older runs and of other stores.
   */
  readonly docText?: string;
  /**
   * The version field's value apply wrote (null when absent): rollback restores the document only
   * while it still carries it, so a document someone moved on since is reported, not overwritten.
   */
  readonly writtenVersion: Scalar;
  /**
   * The `documentDigest` of the document apply wrote: rollback tells from it whether the document
   * is still as apply left it, without running `up` again. Absent in images of older runs.
   */
  readonly writtenDigest?: string;
  /**
   * The digest of the text apply wrote (`Collection.encode`), where the store keeps text as written
   * (SQLite). Rollback's restore hashes the stored text and compares (no `JSON.parse`, no
   * canonical text); equal text is equal content, so a match never hides a change. Beside
   * `writtenDigest` in a `content` attempt, which is the fallback where the texts differ (the same
   * content rewritten in other text costs the content digest); alone in a `stored-text` attempt
   * (`DigestKind`), where other text is a change. Absent in images of older runs and of other stores.
   */
  readonly writtenTextDigest?: string;
}

/** Which migration attempt and collection a batch image belongs to. */
export interface ImageOwner {
  readonly migration: string;
  readonly attempt: number;
  /** steward's name of the collection. */
  readonly collection: string;
}

/**
 * Largest chunk, in bytes of its entries' JSON: well under DynamoDB's 400 KB per item (its item
 * size counts about what JSON does), and far under MongoDB's 16 MB.
 */
export const imageChunkBytes = 256 * 1024;

/**
 * The name of a batch: the pass and the resume token the batch was read from, hashed to a short
 * fixed length (tokens can be long on DynamoDB).
 */
export function batchName(stage: string, after: string | null): string {
  return createHash('sha256')
    .update(JSON.stringify([stage, after]))
    .digest('base64url')
    .slice(0, 22);
}

/** The fixed id of a batch image's head. The ids of per-document images never start like this. */
export function batchImageId(owner: ImageOwner, batch: string): string {
  return `mig|${owner.migration}|${owner.attempt}|${owner.collection}|b|${batch}`;
}

function chunkId(head: string, run: number, index: number): string {
  return `${head}|${run}|${index}`;
}

/** The ids of an image's chunks after its head, as the head names them (`run`, `chunks`). */
function otherChunkIds(id: string, head: JsonObject): string[] {
  const run = head.run as number;
  return Array.from({ length: (head.chunks as number) - 1 }, (_, i) => chunkId(id, run, i + 1));
}

/** The batch image saved under this name, or undefined. Two round trips at most. */
export async function readBatchImage(
  backups: Collection,
  owner: ImageOwner,
  batch: string,
): Promise<BatchImage | undefined> {
  const id = batchImageId(owner, batch);
  if (!backups.getTexts)
    return imageFromHead(backups, owner, batch, (await backups.getMany([id])).get(keyId(id)));
  const text = (await backups.getTexts([id])).get(keyId(id));
  const read = text === undefined ? undefined : imageDocument(text, id);
  return read && isHead(read.doc) ? withChunks(backups, id, read.doc, read.entries) : undefined;
}

/**
 * The batch image whose head document was read already (by a `getMany` that fetched other
 * documents of the backups collection in the same round trip); its other chunks are read here,
 * and the head's text again where it keeps its originals' texts raw ({@link imageTexts}).
 */
export async function imageFromHead(
  backups: Collection,
  owner: ImageOwner,
  batch: string,
  head: JsonObject | undefined,
): Promise<BatchImage | undefined> {
  return head && isHead(head) ? withChunks(backups, batchImageId(owner, batch), head) : undefined;
}

/**
 * Saves a batch image (every chunk, the head last) as the next run after `previous`, and returns
 * it. Throws `store.failed` when the store refuses a chunk: a document must never be changed
 * without its before-image, so the caller writes nothing of the batch.
 */
export async function saveBatchImage(
  backups: Collection,
  owner: ImageOwner & { readonly stage: string; readonly savedAt: string },
  batch: string,
  entries: readonly ImageEntry[],
  previous: BatchImage | undefined,
): Promise<BatchImage> {
  const head = batchImageId(owner, batch);
  const run = previous ? previous.run + 1 : 0;
  const parts = chunked(entries, backups.encode !== undefined);
  const common = { migration: owner.migration, attempt: owner.attempt, collection: owner.collection };
  const docs: SavedChunk[] = parts.map((part, i) => {
    const doc: JsonObject = {
      [backups.spec.keyField]: i === 0 ? head : chunkId(head, run, i),
      ...common,
      ...(i === 0
        ? { part: 'head', stage: owner.stage, batch, run, chunks: parts.length, savedAt: owner.savedAt }
        : { part: 'chunk' }),
      entries: part.elements,
    };
    return encodedChunk(backups, doc, part);
  });
  await upsert(backups, docs.slice(1), owner, true);
  await upsert(backups, docs.slice(0, 1), owner, previous === undefined);
  return { run, chunks: parts.length, entries };
}

/** An image document to save, with its text where the backups collection encodes (SQLite). */
interface SavedChunk {
  readonly doc: JsonObject;
  readonly encoded?: EncodedDocument;
}

/**
 * The chunk's document, and where the backups collection writes text (`Collection.encode`) its
 * text, joined from its elements' texts, which {@link chunked} made to size it: a chunk is
 * serialized once, not once for its size and again for the write (about 1 µs a document of apply,
 * issue 17 ninth pass). `entries` is the chunk's last field, so its text is the rest's with the
 * array filled in; a chunk that keeps its originals' texts raw ({@link imageTexts}) has them after
 * it, and its document their parsed originals, so that the text is a JSON text of the document.
 * Where the collection does not write text, the elements' texts joined are the value of
 * {@link entriesTextField}, one string, instead of `entries`.
 */
function encodedChunk(backups: Collection, doc: JsonObject, part: Chunk): SavedChunk {
  if (!backups.encode) {
    const { entries: _elements, ...rest } = doc;
    return { doc: { ...rest, [entriesTextField]: `[${part.texts.join(',')}]` } };
  }
  const empty = JSON.stringify({ ...doc, entries: [] });
  if (!part.raw)
    return { doc, encoded: backups.encode(doc, `${empty.slice(0, -3)}[${part.texts.join(',')}]}`) };
  const docTexts = part.entries.map((entry) => entry.docText!);
  const text = rawTextsJson(imageTexts, empty, part.texts, docTexts);
  const parsed = { ...doc, [rawTextsField(imageTexts)]: part.entries.map((entry) => entry.doc) };
  return { doc: parsed, encoded: backups.encode(parsed, text) };
}

/**
 * How a chunk keeps its originals' stored texts raw, where the backups collection writes text and
 * every entry of the chunk has one (`core/raw-texts.ts`): each element of `entries` holds
 * `docTextLength` instead of `docText`, and the texts follow in `docTexts`. Readers cut them out
 * of the chunk's stored text (`Collection.getTexts`, `Page.texts`); a chunk read parsed has only
 * their parses, which are not the bytes rollback must put back.
 */
export const imageTexts: RawTextsLayout = { field: 'entries', text: 'docText' };

/** Deletes the chunks of `old` that `current` replaced (best effort: leftovers are never read). */
export async function dropReplacedChunks(
  backups: Collection,
  owner: ImageOwner,
  batch: string,
  old: BatchImage | undefined,
  current: BatchImage,
): Promise<void> {
  if (!old || old.run === current.run || old.chunks < 2) return;
  const head = batchImageId(owner, batch);
  const ops: WriteOp[] = [];
  for (let i = 1; i < old.chunks; i++) ops.push({ type: 'delete', key: chunkId(head, old.run, i) });
  await backups.write(ops);
}

/** One batch image as {@link batchImages} reads it, with where it sits in the scan. */
export interface PagedImage {
  readonly collection: string;
  readonly batch: string;
  readonly image: BatchImage;
  /** The resume tokens of the page it is on and of the next page; `last` on its page. */
  readonly page: { readonly after: string | null; readonly next: string | null; readonly last: boolean };
}

/**
 * One attempt's batch images, one at a time (each read with its chunks only when reached), from
 * the token `after`; `stage` and `collection` narrow them. The filter runs in the store. A page
 * reads up to 100 documents of the backups collection (on DynamoDB counted before the filter), so
 * it can hold several images or none.
 */
export async function* batchImages(
  backups: Collection,
  of: ImagesOf,
  options: { after?: string | null },
): AsyncGenerator<PagedImage> {
  for await (const { collection, batch, id, head, text, page } of pagedHeads(backups, of, options))
    yield { collection, batch, image: await withChunks(backups, id, head, entriesOfText(text, id)), page };
}

/** Which batch images {@link batchImages} and {@link batchImageHeads} read. */
export interface ImagesOf {
  readonly migration: string;
  readonly attempt: number;
  readonly stage?: string;
  readonly collection?: string;
}

/** One batch image as {@link batchImageHeads} reads it: where it is, not what it holds. */
export interface PagedImageHead {
  readonly collection: string;
  readonly batch: string;
  /** The ids of its documents in the backups collection, the head first. */
  readonly ids: readonly string[];
  readonly page: PagedImage['page'];
}

/**
 * {@link batchImages} without the entries, found by their ids: a keys-only scan of the attempt's
 * range of ids in the backups collection (`mig|<migration>|<attempt>|`, or the collection's
 * `...|<collection>|b|`), where a head's id is its image's (`...|b|<batch>`) and a chunk's the
 * head's with `|<run>|<index>` after it. No image is read to find them (on SQLite the key range is
 * the primary key's, where a filter on the heads' fields parsed every image whole: 2.5 µs a
 * document of rollback, issue 17 fifth pass), and a page of 100 ids holds the heads whole images
 * are made of. A head's own `run` and `chunks` are read only where its image may come in chunks:
 * when the next id on the page is one of its chunks (of this run or one a crash left), or when it
 * is the last of its page. The pages and tokens are those of that keys scan, so a resumed run
 * finds its place in it as {@link batchImages}' does in its own. Where the store's scan is not in
 * key order (`orderedScan` false: DynamoDB), a chunk need not follow its head, and with `stage`,
 * which ids do not name, the heads are read projected by a filter instead.
 */
export async function* batchImageHeads(
  backups: Collection,
  of: ImagesOf,
  options: { after?: string | null; orderedScan: boolean },
): AsyncGenerator<PagedImageHead> {
  if (of.stage !== undefined || !options.orderedScan) {
    for await (const { collection, batch, id, head, page } of pagedHeads(backups, of, options, headFields))
      yield { collection, batch, ids: [id, ...otherChunkIds(id, head)], page };
    return;
  }
  const attempt = `mig|${of.migration}|${of.attempt}|`;
  const prefix = of.collection === undefined ? attempt : `${attempt}${of.collection}|b|`;
  // Every id that starts with the prefix and none other: `}` is the character after `|`.
  const filter = parseFilter({ [backups.spec.keyField]: { $gt: prefix, $lt: `${prefix.slice(0, -1)}}` } });
  let after = options.after ?? null;
  for await (const page of scanPages(backups, { filter, keysOnly: true, limit: headsPerPage, after })) {
    const ids = page.docs
      .map((doc) => doc[backups.spec.keyField])
      .filter((k): k is string => typeof k === 'string');
    const heads: { collection: string; batch: string; ids: string[] }[] = [];
    for (const [i, id] of ids.entries()) {
      const named = headNamed(attempt, id);
      if (!named) continue;
      const next = ids[i + 1];
      const chunked = next === undefined ? page.next !== null : next.startsWith(`${id}|`);
      const found = chunked ? await headChunkIds(backups, id) : [id];
      if (found) heads.push({ ...named, ids: found });
    }
    for (const [i, head] of heads.entries())
      yield { ...head, page: { after, next: page.next, last: i === heads.length - 1 } };
    after = page.next;
  }
}

/** The collection and batch a head's id names (`<attempt>...|b|<batch>`), or undefined for other ids. */
function headNamed(attempt: string, id: string): { collection: string; batch: string } | undefined {
  if (!id.startsWith(attempt)) return undefined;
  const parts = id.slice(attempt.length).split('|');
  return parts.length === 3 && parts[1] === 'b' ? { collection: parts[0]!, batch: parts[2]! } : undefined;
}

/** The ids of the image whose head is `id`, as the head names them; undefined when it is no head. */
async function headChunkIds(backups: Collection, id: string): Promise<string[] | undefined> {
  const head = (await backups.getMany([id])).get(keyId(id));
  return head && isHead(head) ? [id, ...otherChunkIds(id, head)] : undefined;
}

/**
 * The heads of one attempt's batch images, page by page from the token `after` (up to 100
 * documents of the backups collection a page, so a page holds several heads or none), each with
 * its image's id, its stored text where the store gives texts (`Page.texts`), and where it stands
 * on its page. `fields` projects the heads.
 */
async function* pagedHeads(
  backups: Collection,
  of: ImagesOf,
  options: { after?: string | null },
  fields?: readonly string[],
): AsyncGenerator<{
  collection: string;
  batch: string;
  id: string;
  head: JsonObject;
  text: string | undefined;
  page: PagedImage['page'];
}> {
  let after = options.after ?? null;
  // Where the store gives texts, the heads are read projected beside their texts: the entries are
  // cut from the text (`entriesOfText`), so a whole parse of each head would be thrown away.
  const whole = backups.encode ? { fields: headFields, texts: true } : {};
  const scan = { filter: headFilter(of), ...(fields ? { fields } : whole) };
  let limit = headsPerPage;
  let resized = true;
  while (resized) {
    resized = false;
    for await (const page of scanPages(backups, { ...scan, limit, after })) {
      const heads = page.docs.flatMap((head, i) => (isHead(head) ? [{ head, text: page.texts?.[i] }] : []));
      for (const [i, { head, text }] of heads.entries()) {
        const collection = head.collection as string;
        const batch = head.batch as string;
        const id = batchImageId({ migration: of.migration, attempt: of.attempt, collection }, batch);
        const where = { after, next: page.next, last: i === heads.length - 1 };
        yield { collection, batch, id, head, text, page: where };
      }
      after = page.next;
      // Whole heads of images split in chunks are about a chunk each: ask for about a page's
      // bytes from the next page on (the same tokens, so a resumed run finds its place).
      if (
        after &&
        limit !== chunkedHeadsPerPage &&
        !fields &&
        heads.some((h) => (h.head.chunks as number) > 1)
      ) {
        limit = chunkedHeadsPerPage;
        resized = true;
        break;
      }
    }
  }
}

/** The fields of a head that say what it is and how many chunks its image has ({@link isHead}). */
const headFields = ['part', 'collection', 'batch', 'run', 'chunks'];

/** Documents of the backups collection a page of heads reads (see {@link pagedHeads}). */
const headsPerPage = 100;

/**
 * The same once the images come in chunks, so their heads are about {@link imageChunkBytes} each:
 * four make about 1 MB, what a DynamoDB page holds. DynamoDB Local reads up to the Limit's items
 * before it cuts the page at 1 MB, so pages of 100 such items cost it about twice the CPU of pages
 * of 4 for the same images (20,000 entries: 0.36-0.37 s against 0.17-0.20 s, issue 17).
 */
const chunkedHeadsPerPage = 4;

function headFilter(of: ImagesOf) {
  return parseFilter({
    migration: of.migration,
    attempt: of.attempt,
    part: 'head',
    ...(of.stage ? { stage: of.stage } : {}),
    ...(of.collection ? { collection: of.collection } : {}),
  });
}

/**
 * The originals of these keys among one collection's batch images of a pass (the parity gate's
 * sample of the canary). Reads the pass's images until every key is found.
 */
export async function readOriginals(
  backups: Collection,
  of: ImageOwner & { readonly stage: string },
  keys: readonly DocKey[],
): Promise<Map<string, JsonObject>> {
  const wanted = new Set(keys.map(keyId));
  const out = new Map<string, JsonObject>();
  if (wanted.size === 0) return out;
  for await (const { image } of batchImages(backups, of, {})) {
    for (const entry of image.entries) {
      const id = keyId(entry.key);
      if (wanted.has(id)) out.set(id, entry.doc);
    }
    if (out.size === wanted.size) break;
  }
  return out;
}

/**
 * The image of this head with its other chunks read, from their stored texts where the backups
 * collection gives them (`Collection.getTexts`), so an entry of a chunk that keeps its original's
 * text raw ({@link imageTexts}) gets that text byte for byte. `headEntries` are the head's own,
 * where the caller read its text; a head that keeps texts raw read without them is read again.
 */
async function withChunks(
  backups: Collection,
  id: string,
  head: JsonObject,
  headEntries?: ImageEntry[],
): Promise<BatchImage> {
  const run = head.run as number;
  const chunks = head.chunks as number;
  const ids = otherChunkIds(id, head);
  const reread = headEntries === undefined && keepsTextsRaw(head);
  const found = await readChunks(backups, reread ? [id, ...ids] : ids);
  const entries = headEntries ?? found.get(keyId(id)) ?? entriesOf(head, id);
  for (const chunk of ids) {
    const more = found.get(keyId(chunk));
    if (!more)
      throw new StewardError(
        'store.failed',
        `the before-image chunk "${chunk}" is missing from "${backups.spec.name}"; its head names it. ` +
          'The ledger was changed outside steward: restore the backups collection before rolling back.',
      );
    entries.push(...more);
  }
  return { run, chunks, entries };
}

/** The entries of these image documents by keyId, read as text where the store gives texts. */
async function readChunks(backups: Collection, ids: readonly string[]): Promise<Map<string, ImageEntry[]>> {
  const out = new Map<string, ImageEntry[]>();
  if (ids.length === 0) return out;
  if (backups.getTexts) {
    const texts = await backups.getTexts(ids);
    for (const id of ids) {
      const text = texts.get(keyId(id));
      if (text !== undefined) out.set(keyId(id), imageDocument(text, id)?.entries ?? []);
    }
  } else {
    const docs = await backups.getMany(ids);
    for (const id of ids) {
      const doc = docs.get(keyId(id));
      if (doc) out.set(keyId(id), entriesOf(doc, id));
    }
  }
  return out;
}

/** True for an image document that keeps its originals' texts raw ({@link imageTexts}). */
function keepsTextsRaw(doc: JsonObject): boolean {
  return Object.hasOwn(doc, rawTextsField(imageTexts));
}

/**
 * One chunk to save: its entries as given, and as saved (`elements`, with their JSON `texts`).
 * `raw`: the chunk keeps its originals' texts raw ({@link imageTexts}), its elements without them.
 */
interface Chunk {
  readonly entries: ImageEntry[];
  readonly elements: JsonObject[];
  readonly texts: string[];
  raw: boolean;
}

/**
 * Splits entries into chunks of at most {@link imageChunkBytes} of JSON (at least one entry each),
 * each with its elements' JSON texts (made to size them; see {@link encodedChunk}). With
 * `rawTexts` (the backups collection writes text), a chunk whose every entry has its original's
 * text keeps those texts raw; one that mixes entries with and without is saved as before.
 */
function chunked(entries: readonly ImageEntry[], rawTexts: boolean): Chunk[] {
  const parts = sized(entries, rawTexts);
  if (!rawTexts) return parts;
  // A chunk that mixes entries with and without texts is saved as before, each text escaped
  // inside its element, which can make it larger than it was sized raw: sized again so.
  return parts.flatMap((part) =>
    part.raw || !part.entries.some((entry) => entry.docText !== undefined)
      ? [part]
      : sized(part.entries, false),
  );
}

/**
 * {@link chunked}'s cut: each entry's element and text made and added to the last chunk while it
 * stays within {@link imageChunkBytes}, counting a raw entry's text where `rawTexts` keeps it.
 */
function sized(entries: readonly ImageEntry[], rawTexts: boolean): Chunk[] {
  const parts: Chunk[] = [{ entries: [], elements: [], texts: [], raw: rawTexts }];
  let bytes = 0;
  for (const entry of entries) {
    const raw = rawTexts && entry.docText !== undefined;
    const element = raw ? rawElement(entry) : storedElement(entry);
    const text = JSON.stringify(element);
    const size = raw ? text.length + entry.docText!.length + 1 : text.length;
    let last = parts.at(-1)!;
    if (last.entries.length > 0 && bytes + size > imageChunkBytes) {
      last = { entries: [], elements: [], texts: [], raw: rawTexts };
      parts.push(last);
      bytes = 0;
    }
    last.entries.push(entry);
    last.elements.push(element);
    last.texts.push(text);
    last.raw &&= raw;
    bytes += size;
  }
  for (const part of parts) if (part.entries.length === 0) part.raw = false;
  return parts;
}

function storedElement(entry: ImageEntry): JsonObject {
  return storedEntry(entry) as unknown as JsonObject;
}

/**
 * The element of an entry in a chunk that keeps its text raw: `docTextLength` for `docText`, set
 * on the rest's own new object (a second spread cost apply about 1 µs a document, issue 17 tenth pass).
 */
function rawElement(entry: ImageEntry): JsonObject {
  const { doc: _parsed, docText, ...rest } = entry;
  const element = rest as unknown as JsonObject;
  element.docTextLength = docText!.length;
  return element;
}

/**
 * Saves whole documents: inserts where `fresh` says none is stored under their ids (a first run:
 * on MongoDB an upsert costs a probing `find` more, an insert does not), upserts otherwise, and
 * upserts again any insert that found its id taken (a chunk a crashed run left behind).
 */
async function upsert(
  backups: Collection,
  docs: readonly SavedChunk[],
  owner: ImageOwner,
  fresh = false,
): Promise<void> {
  if (docs.length === 0) return;
  const replace = ({ doc, encoded }: SavedChunk): WriteOp =>
    encoded ? { type: 'replace', doc, encoded, upsert: true } : { type: 'replace', doc, upsert: true };
  const insert = ({ doc, encoded }: SavedChunk): WriteOp =>
    encoded ? { type: 'insert', doc, encoded } : { type: 'insert', doc };
  let results = await backups.write(docs.map(fresh ? insert : replace));
  const taken = docs.filter((_, i) => results[i]?.status === 'exists');
  if (taken.length > 0) {
    const again = await backups.write(taken.map(replace));
    let t = 0;
    results = results.map((r) => (r.status === 'exists' ? (again[t++] ?? r) : r));
  }
  const bad = results.find((r) => r.status !== 'ok');
  if (!bad && results.length === docs.length) return;
  throw new StewardError(
    'store.failed',
    `could not save a before-image of a batch of ${owner.collection} in "${backups.spec.name}" ` +
      `(${JSON.stringify(bad ?? 'no result')}); nothing of this batch was changed. Check the ledger ` +
      'store, then rerun to resume.',
    { collection: owner.collection },
  );
}

function isHead(doc: JsonObject): boolean {
  return (
    doc.part === 'head' &&
    typeof doc.collection === 'string' &&
    typeof doc.batch === 'string' &&
    typeof doc.run === 'number' &&
    typeof doc.chunks === 'number'
  );
}

/**
 * The entry as an image saves it: without `doc` where it has `docText` (see {@link ImageEntry}).
 * Every save of entries read from an image goes through it.
 */
export function storedEntry(entry: ImageEntry): ImageEntry {
  if (entry.docText === undefined) return entry;
  const { doc: _parsed, ...stored } = entry;
  return stored as ImageEntry;
}

/**
 * The well-formed entries of an image document `id` read parsed: a key, and the original as an
 * object (`doc`) or as stored text (`docText`, parsed into `doc`). Text that holds no JSON object
 * is no entry, as an element without an object `doc` is none: apply's read refuses such a
 * document, so only a change outside steward between that read and the write can put it there
 * (the in-store restore still puts its text back where the document is as apply wrote it). Throws
 * for a document that keeps its originals' texts raw ({@link imageTexts}): parsed, it has lost
 * them, and an entry without its exact text must never be restored or saved again as if exact.
 */
function entriesOf(doc: JsonObject, id: string): ImageEntry[] {
  if (keepsTextsRaw(doc))
    throw new StewardError(
      'store.failed',
      `the before-image "${id}" keeps its originals' stored texts raw, and was read without its own ` +
        'stored text, which alone gives them back byte for byte. This is a bug in steward: report it.',
      { document: id },
    );
  const entries = imageElements(doc);
  const out: ImageEntry[] = [];
  for (const e of entries) {
    if (!isJsonObject(e) || !isDocKey(e.key)) continue;
    if (typeof e.docText !== 'string') {
      if (isJsonObject(e.doc)) out.push(e as unknown as ImageEntry);
      continue;
    }
    const parsed = parsedJsonObject(e.docText);
    if (parsed) out.push({ ...(e as unknown as ImageEntry), doc: parsed });
  }
  return out;
}

/**
 * Where the backups collection does not write text (`Collection.encode`: MongoDB, DynamoDB), a
 * chunk holds its elements as one JSON text in this field instead of an array in `entries`.
 * Why (issue 17, 11th pass): the store then carries one string, not a list of nested maps or
 * documents with the originals inside. On DynamoDB Local the image `PutItem`s of an apply of
 * 20,000 documents took 434 ms in flight instead of 993, and the SDK no longer marshals and
 * unmarshals every original field by field. Images an older steward saved with `entries` are
 * read as before ({@link imageElements}).
 */
export const entriesTextField = 'entriesText';

/**
 * The elements of an image document read parsed, from either layout ({@link entriesTextField} or
 * `entries`); none where it has neither, or where the text holds no JSON array (as an element
 * that is no object is no entry, see {@link entriesOf}).
 */
export function imageElements(doc: JsonObject): unknown[] {
  const text = doc[entriesTextField];
  if (typeof text === 'string') {
    const parsed = parsedJson(text);
    return Array.isArray(parsed) ? parsed : [];
  }
  return Array.isArray(doc.entries) ? doc.entries : [];
}

/** The entries of image document `id` from its stored text, where there is one (see below). */
function entriesOfText(text: string | undefined, id: string): ImageEntry[] | undefined {
  return text === undefined ? undefined : (imageDocument(text, id)?.entries ?? []);
}

/**
 * Image document `id` from its stored text: its fields (without the texts, where it keeps them
 * raw) and its well-formed entries. Cut from the text where it keeps its originals' texts raw
 * ({@link imageTexts}: only its head and each text parsed, every entry with its text byte for
 * byte), else parsed whole and read as {@link entriesOf} reads it. Text that is not JSON has none.
 */
function imageDocument(text: string, id: string): { doc: JsonObject; entries: ImageEntry[] } | undefined {
  const cut = cutRawTexts(text, imageTexts, id);
  if (!cut) {
    const doc = parsedJsonObject(text);
    return doc && { doc, entries: entriesOf(doc, id) };
  }
  const entries: ImageEntry[] = [];
  for (const [i, { docTextLength: _length, ...e }] of cut.elements.entries()) {
    const docText = cut.texts[i]!;
    const parsed = parsedJsonObject(docText);
    if (isDocKey(e.key) && parsed) entries.push({ ...(e as unknown as ImageEntry), doc: parsed, docText });
  }
  return { doc: cut.head, entries };
}
