import type { ParsedFilter } from '../core/filter.js';
import type { JsonObject, Scalar } from '../core/json.js';
import { StewardError } from '../errors/steward-error.js';

/**
 * The seam between steward and a database. Every capability (contracts, integrity, derived
 * data, migrations, the ledger) reads and writes through this interface and nothing else; only
 * the adapters under `stores/<kind>/` import a database driver.
 *
 * A Store is opened on one database and hands out {@link Collection}s. Documents cross the seam
 * as plain JSON objects (see `core/json.ts`); adapters convert their store's types at the edge
 * (MongoDB's ObjectId and Date become Extended JSON `{"$oid": ...}` and `{"$date": ...}`).
 */
export interface Store {
  readonly kind: StoreKind;
  readonly capabilities: StoreCapabilities;
  /** A handle on one collection. Cheap: it does no I/O until used. */
  collection(spec: CollectionSpec): Collection;
  /** Creates the collection (table) if it does not exist yet. Idempotent. */
  ensureCollection(spec: CollectionSpec): Promise<void>;
  /** Drops a collection; no error when it does not exist. */
  dropCollection(spec: CollectionSpec): Promise<void>;
  /** Names of the collections in the store (for DynamoDB, table names). */
  listCollections(): Promise<string[]>;
  /**
   * Copies a collection, or a deterministic sample of it, into a new collection (the sandbox)
   * that is dropped first if present. Migrations' dry run uses it; the source is only read.
   */
  copyCollection(source: CollectionSpec, target: CollectionSpec, options?: CopyOptions): Promise<CopyResult>;
  /** Checks the store answers; returns its product and version, for `steward doctor`. */
  ping(): Promise<StoreInfo>;
  /**
   * What steward's own layout of an existing collection lacks: structures `ensureCollection` now
   * makes with a new collection but that one made by an earlier steward does not have (SQLite: the
   * key index of a `WITHOUT ROWID` table). None for a collection that does not exist. Reads only.
   * Absent on stores whose layout has never changed.
   */
  layoutGaps?(spec: CollectionSpec): Promise<LayoutGap[]>;
  /**
   * Adds what {@link layoutGaps} names, and returns what it added. Changes the layout only (an
   * index is built), never a document; idempotent. `steward doctor --fix` runs it.
   */
  closeLayoutGaps?(spec: CollectionSpec): Promise<LayoutGap[]>;
  close(): Promise<void>;
}

export type StoreKind = 'sqlite' | 'mongodb' | 'dynamodb';

/**
 * What an adapter can do. Capabilities branch on these flags, never on `kind`, so a new adapter
 * only has to say what it supports. Defaults are the safe choice (false).
 */
export interface StoreCapabilities {
  /** Exact counts are cheap (an index or table count) rather than a full scan. */
  readonly cheapExactCount: boolean;
  /** Scans return documents in ascending key order (resume tokens are then keys). */
  readonly orderedScan: boolean;
  /** Secondary indexes can be created through the seam. */
  readonly secondaryIndexes: boolean;
  /** Largest number of documents one getMany round trip fetches natively (DynamoDB: 100). */
  readonly maxBatchGet: number;
  /** Largest number of operations one native bulk write carries (DynamoDB: 25). */
  readonly maxBatchWrite: number;
  /**
   * A write with `expect` is checked and applied atomically: of concurrent writes with the same
   * expectation on one document at most one succeeds. False on FerretDB 1.x, which reads then
   * writes, so both can; its adapter checks expectations on a batched read, writes by key alone and
   * re-reads what it wrote (a change landing between that read and the write is overwritten).
   * Inserts of a taken key are refused on every store, whatever this says.
   */
  readonly atomicConditionalWrites: boolean;
  /**
   * The key field of collections steward creates for itself (ledger, sandboxes): `_id` on
   * MongoDB, which keys every document by it, `id` elsewhere.
   */
  readonly defaultKeyField: string;
}

/**
 * Where a collection lives and how its documents are keyed. `name` is steward's name for it;
 * `keyField` is the document field holding its key (MongoDB: `_id`).
 */
export interface CollectionSpec {
  readonly name: string;
  readonly keyField: string;
  /** DynamoDB only: how the collection maps onto a table. Default: a table named `name`. */
  readonly dynamodb?: DynamoCollectionMapping;
  /**
   * Its documents are often many kilobytes (steward's batch images: hundreds). Read only where a
   * collection is made (`ensureCollection`, `copyCollection`), on a store whose layout depends on
   * the size of a row (SQLite: see `createTableSql` in sqlite-store.ts); the others lay every
   * collection out alike.
   */
  readonly largeDocuments?: boolean;
}

/**
 * How a steward collection maps onto DynamoDB. A whole table (the default: partition key named
 * like the key field) or, in single-table designs, one entity type inside a shared table,
 * selected by a key prefix on the partition key and/or a discriminator attribute.
 */
export interface DynamoCollectionMapping {
  readonly table: string;
  /** Partition key attribute name. Default: the collection's keyField. */
  readonly partitionKey?: string;
  /** Prefix of this entity's partition key values, such as `CASE#`. */
  readonly keyPrefix?: string;
  /** Sort key attribute and the constant value this entity's items have in it. */
  readonly sortKey?: { readonly name: string; readonly value: string };
  /** Attribute whose value names the entity type, such as `{ name: 'type', value: 'case' }`. */
  readonly discriminator?: { readonly name: string; readonly value: string };
}

/**
 * A document's key value. MongoDB ObjectIds cross the seam as `{ $oid: '<24 hex>' }`, so a key
 * that is an ObjectId never compares equal to the same hex as a plain string, as in MongoDB.
 */
export type DocKey = string | number | ObjectIdKey;
export type ObjectIdKey = { readonly $oid: string };

/** One collection of one store. All methods are single round trips unless they say otherwise. */
export interface Collection {
  readonly spec: CollectionSpec;
  /**
   * Reads one page. Pass the previous page's `next` token as `after` to continue; `next` is null
   * on the last page. A token is an opaque string safe to store in a checkpoint. With a
   * `segment`, N workers each scanning their segment cover the collection exactly once.
   */
  scan(options?: ScanOptions): Promise<Page>;
  /**
   * Documents per page a long scan of few fields should ask for, when the caller does not say
   * (the orphan scan's batch): where each request costs more than the documents it carries
   * (DynamoDB). Absent: the caller's own default (1000 for the orphan scan).
   */
  readonly preferredScanLimit?: number;
  /** Fetches documents by key in one round trip per `capabilities.maxBatchGet` keys. Missing keys are absent from the map. */
  getMany(keys: readonly DocKey[]): Promise<Map<string, JsonObject>>;
  /**
   * Which of these keys exist, as {@link keyId} strings: {@link getMany} without reading or
   * parsing the documents, for checks that only need to know (the orphan scan). Same round trips.
   */
  existingKeys(keys: readonly DocKey[]): Promise<Set<string>>;
  /**
   * Optional: the stored texts of these keys, byte for byte, by {@link keyId}, where the store
   * keeps documents as text (SQLite); missing keys are absent. For readers of documents that keep
   * other texts raw inside them (apply's before-images, `core/raw-texts.ts`), which cut those
   * texts out of the stored text instead of parsing the whole document. Same round trips as
   * {@link getMany}; nothing is parsed.
   */
  getTexts?(keys: readonly DocKey[]): Promise<Map<string, string>>;
  /** Applies write operations in bulk, returning one result per operation, in order. */
  write(ops: readonly WriteOp[]): Promise<WriteResult[]>;
  /** Counts documents matching a filter; `estimate` allows a cheaper approximate count. */
  count(options?: { filter?: ParsedFilter; estimate?: boolean }): Promise<number>;
  listIndexes(): Promise<IndexInfo[]>;
  /**
   * Creates a secondary index on dotted fields. Idempotent: an index of that name with the same
   * fields and uniqueness is left as it is; one of that name defined otherwise is refused with
   * `input.invalid`. Throws `store.unsupported` where `capabilities.secondaryIndexes` is false.
   */
  createIndex(index: IndexDefinition): Promise<void>;
  /** Drops a secondary index by name; no error when there is none. `store.unsupported` as above. */
  dropIndex(name: string): Promise<void>;
  /**
   * Optional: the reference check pushed down into the store, for a reference at the dotted `path`
   * of this collection's documents pointing at `target`'s keys. Undefined when the store cannot do
   * it (the target lives elsewhere, or the path has a shape it does not handle): callers then scan
   * and look keys up themselves. SQLite has it when both tables are in one database file.
   */
  referenceCheck?(target: Collection, path: string): ReferenceCheck | undefined;

  /**
   * Optional pushdown of "keep what the documents were, then change them": in one transaction,
   * upserts `copy.doc` into `copy.into` with the stored documents of `copy.copies` added inside
   * the store (they never cross the seam, so nothing is parsed or serialized again), then applies
   * `ops` as {@link write} does. Undefined when the store cannot do it for that target (another
   * database): the caller then saves the copy itself. Callers go through `writeWithCopy`
   * (`stores/write-with-copy.ts`), which gives every store the same behaviour.
   */
  writeWithCopy?(ops: readonly WriteOp[], copy: CopyOnWrite): Promise<WriteResult[] | undefined>;

  /**
   * Optional pushdown of "put back the copies of documents still as they were written": in one
   * transaction, each copy held in `restore.from`'s documents is written over the stored document
   * of its key, only where that stored document's `restore.digestOf` equals the copy's digest (it
   * is exactly what was written after the copy was taken); every other document is left as it is.
   * The copies never cross the seam. Undefined when the store cannot do it (`restore.from` lives in
   * another database, or a unique index refuses a write of the set: nothing is written): the
   * caller then reads and writes itself. `stores/restore-copies.ts` gives
   * every store the same behaviour.
   */
  restoreCopies?(restore: RestoreCopies): Promise<RestoredCopies | undefined>;

  /**
   * Optional: `doc` encoded once as this collection will store it, with that text's digest, where
   * the store keeps a document's text exactly as written (SQLite: the `JSON.stringify` text and
   * its SHA-256, base64url). Equal digests mean equal text, hence equal content; the same content
   * with other field order or spacing has another. For a caller that both writes a document and
   * keeps the digest of what it wrote (apply's images, handed back to rollback in
   * {@link RestoreCopies.textDigest}, where the store checks the stored text without parsing it).
   * Passed back as the `encoded` of the `insert` or `replace` of that `doc`, the store writes
   * `encoded.text` as it is instead of encoding `doc` again, so the digest kept is the digest of
   * the exact text written by construction: one serialization serves both (a `doc` changed after
   * `encode` cannot be written other than as encoded). The write still finds the document's key in
   * `doc`: a caller must not change the key in between (apply never touches a plan's document after
   * planning it). Undefined where the store re-encodes what it is given (MongoDB's BSON, DynamoDB's
   * maps): there only content digests are checked, and `encoded` is ignored.
   *
   * With `text`, that text is what is written and digested instead of a new serialization of
   * `doc`: for a caller putting back a document's text exactly as it was stored (rollback of a
   * before-image that kept the stored text, see {@link CopyOnWrite.asText}). `text` must be a JSON text
   * of `doc` (parsing it gives `doc`): the store trusts it and does not check.
   */
  encode?(doc: JsonObject, text?: string): EncodedDocument;
}

/**
 * A document as a store will write it (see {@link Collection.encode}): `text`, the exact text the
 * store keeps, and that text's digest. Made only by {@link Collection.encode}, the two together.
 */
export interface EncodedDocument {
  readonly text: string;
  readonly textDigest: string;
}

/**
 * Copies to put back (see {@link Collection.restoreCopies}): the documents `ids` of `from` each
 * hold an array `field` of elements, each with the document's key under `key`, the copy under
 * `doc`, and under `digest` the digest the stored document must have for the copy to go back.
 */
export interface RestoreCopies {
  readonly from: Collection;
  readonly ids: readonly DocKey[];
  readonly field: string;
  readonly key: string;
  readonly doc: string;
  /**
   * Optional: the element field holding the copy as its stored text, a JSON string
   * ({@link CopyOnWrite.asText}), read where an element has it instead of `doc`. A store that
   * keeps text puts that text back byte for byte; elsewhere it is parsed and written as a document.
   * A holder may keep these texts raw instead (`core/raw-texts.ts`, `{ field, text: docText }`):
   * SQLite cuts them out of its stored text where every element has a text digest and no content
   * digest, and otherwise leaves its elements to the caller, who reads them with `getTexts`.
   */
  readonly docText?: string;
  /**
   * The element field holding the content digest (`digestOf`) the stored document must have. An
   * element may lack it where it has a text digest (`textDigest`): it is then put back only on a
   * text match, and left to the caller otherwise (and on stores without text digests).
   */
  readonly digest: string;
  /** The digest of a document; deterministic. The store may call it inside a statement. */
  readonly digestOf: (doc: JsonObject) => string;
  /**
   * Optional: the element field holding the text digest ({@link Collection.encode}) of the text
   * written after the copy was taken. A store with `encode` puts the copy back where the stored text
   * has that digest without computing `digestOf` (equal text is equal content), and computes
   * `digestOf` only where the text digest differs or is absent; other stores ignore it. So an
   * element holds both digests of the same write, or only one of them.
   */
  readonly textDigest?: string;
  /**
   * The version field of the documents and the element field holding the value it must hold:
   * a store that reads then writes (no pushdown) writes on that condition, so a change that
   * landed in between and moved the version is not overwritten.
   */
  readonly version: { readonly field: string; readonly element: string };
}

/** What {@link Collection.restoreCopies} did: the keys ({@link keyId}) put back, and the elements seen. */
export interface RestoredCopies {
  readonly restored: ReadonlySet<string>;
  readonly elements: number;
}

/**
 * A source collection checked against a target inside the store (see
 * {@link Collection.referenceCheck}): pages of the source as {@link Collection.scan} pages them,
 * but only the documents whose reference does not plainly resolve leave the store.
 */
export interface ReferenceCheck {
  /** One page: `after`, `limit` and `segment` as in {@link ScanOptions}; `next` is scan's token. */
  page(options: Pick<ScanOptions, 'after' | 'limit' | 'segment'>): Promise<ReferenceCheckPage>;
}

/**
 * One page of a {@link ReferenceCheck}. A document is resolved when the path leads to at least one
 * value and every value is a string or safe integer key the target holds as written (arrays walked
 * as `readReference` walks them); every other document of the page is in `unresolved`, projected on
 * the path's first step as a `fields` scan would give it, for the caller to classify.
 */
export interface ReferenceCheckPage {
  /** Documents the page covered, resolved or not. */
  readonly scanned: number;
  readonly unresolved: JsonObject[];
  readonly next: string | null;
}

/**
 * A document saved with a write (see {@link Collection.writeWithCopy}): `doc`, keyed, upserted
 * into `into`, its array field `field` holding first one element per item of `copies` whose
 * document is stored (the item's `entry` with the stored document under `as`; an item whose
 * document is missing adds nothing), then what `doc` already held there.
 */
export interface CopyOnWrite {
  readonly into: Collection;
  readonly doc: JsonObject;
  /** A top-level field of `doc`: the array the copies go into. */
  readonly field: string;
  /** The field of each element that holds the stored document. */
  readonly as: string;
  /**
   * Optional: `as` holds the stored document as a JSON string of its text instead of an object.
   * Where the store keeps text (SQLite's pushdown) that is the text exactly as stored, byte for
   * byte (spacing, escapes, field order, `1.0`), never parsed: a restore can then put back the
   * very bytes. Elsewhere it is `JSON.stringify` of the document as read (MongoDB and DynamoDB
   * keep no text; there it only keeps the element's form alike).
   */
  readonly asText?: boolean;
  readonly copies: readonly { readonly key: DocKey; readonly entry: JsonObject }[];
}

export interface ScanOptions {
  /** Resume token from a previous page's `next`. */
  readonly after?: string | null;
  /** Documents per page (a hint; adapters may return fewer). Default 500. */
  readonly limit?: number;
  readonly filter?: ParsedFilter;
  /** Segment `index` (0-based) of `total`. */
  readonly segment?: Segment;
  /**
   * Each document of the page holds only its key field (`{ [spec.keyField]: key }`, or `{}` for a
   * stored document without one): nothing else is read or parsed where the store allows (but see
   * `texts`), for callers that only need the keys (the integrity preload). Everything else is as
   * without it: `filter` still applies to the stored document, and `after`, `limit`, `segment`
   * and `next` page exactly the same way, so a scan may switch to or from keys-only mid-way with
   * the same token.
   */
  readonly keysOnly?: boolean;
  /**
   * Each document of the page holds its key field and, of these top-level fields, those the stored
   * document has, whole (nested objects and arrays as stored); a missing field is absent, not null.
   * Nothing else is read or parsed where the store allows (SQLite `->` per field, a MongoDB
   * projection, a DynamoDB `ProjectionExpression`), for checks that need few fields of large
   * documents. As with `keysOnly`, the filter still applies to the stored document and paging is
   * unchanged. A dotted name is refused (`input.invalid`): for `a.b`, project `a`. `keysOnly` wins.
   */
  readonly fields?: readonly string[];
  /**
   * Where the store keeps each document as the text it was written in (a store with
   * {@link Collection.encode}: SQLite), the page also gives those texts (`Page.texts`), for callers
   * that hash what is stored (`stored-text` checksums) or keep it byte for byte; with `fields`,
   * or with `keysOnly`, the whole stored texts beside the projected or key documents, unparsed
   * (apply's canary pass hashes every text and parses only the canary's). Ignored by other stores
   * (their pages have no `texts`).
   */
  readonly texts?: boolean;
}

export interface Segment {
  readonly index: number;
  readonly total: number;
}

export interface Page {
  readonly docs: JsonObject[];
  /**
   * Asked for with `texts` ({@link ScanOptions.texts}), where the store keeps documents as text:
   * each document's stored text, byte for byte, in the order of `docs`.
   */
  readonly texts?: readonly string[];
  /** Token for the next page, or null when the scan is complete. */
  readonly next: string | null;
}

/**
 * A condition on the stored document a write depends on: the field must currently hold `value`
 * (a scalar; `null` also matches a missing field, as in filters), or be absent when `value` is
 * undefined. This is optimistic concurrency: the write is
 * refused, not applied, when someone changed the document since the caller read it.
 */
export interface Expectation {
  readonly field: string;
  readonly value: Scalar | undefined;
  /**
   * Optional, for a `replace` on a store that keeps documents as text (a store with
   * {@link Collection.encode}: SQLite): the stored text read (`Page.texts`). The write then holds
   * only while the stored text is still exactly this, which is stricter than `field`/`value` (the
   * text read holds `value`) and costs the store a comparison of text instead of reading the field
   * out of the document: a change since the read that left the field alone is refused too. Other
   * stores, and other operations, check `field`/`value` alone.
   */
  readonly storedText?: string;
}

export type WriteOp =
  /** Inserts a new document; refused with `exists` if the key is taken. */
  | { readonly type: 'insert'; readonly doc: JsonObject; readonly encoded?: EncodedDocument }
  /** Replaces a whole document; with `upsert`, inserts it when missing. */
  | {
      readonly type: 'replace';
      readonly doc: JsonObject;
      /**
       * `doc` as this collection's {@link Collection.encode} gave it: a store with `encode`
       * writes this text and does not encode `doc` again; others ignore it.
       */
      readonly encoded?: EncodedDocument;
      readonly upsert?: boolean;
      readonly expect?: Expectation;
    }
  /** Sets and unsets dotted fields of an existing document. */
  | {
      readonly type: 'patch';
      readonly key: DocKey;
      readonly set?: JsonObject;
      readonly unset?: readonly string[];
      readonly expect?: Expectation;
    }
  | { readonly type: 'delete'; readonly key: DocKey; readonly expect?: Expectation };

/**
 * The outcome of one write operation. `ok`: applied. `missing`: no document with that key
 * (replace without upsert, patch, delete). `exists`: insert on a taken key. `conflict`: the
 * expectation did not hold. `failed`: the store refused it; `reason` says why.
 */
export type WriteResult =
  | { readonly status: 'ok' }
  | { readonly status: 'missing' | 'exists' | 'conflict' }
  | { readonly status: 'failed'; readonly reason: string };

export interface IndexInfo {
  readonly name: string;
  readonly fields: readonly string[];
  readonly unique: boolean;
}

/** A secondary index to create: a name, its dotted fields in order, and whether it is unique. */
export interface IndexDefinition {
  readonly name: string;
  readonly fields: readonly string[];
  readonly unique?: boolean;
}

export interface CopyOptions {
  /** Copy only documents whose key hashes below this fraction (0..1], deterministic by key. */
  readonly fraction?: number;
  /** Seed of the deterministic sample, so different samples can be drawn. */
  readonly seed?: string;
}

export interface CopyResult {
  readonly copied: number;
}

/** A structure of steward's layout that an existing collection lacks (see `Store.layoutGaps`). */
export interface LayoutGap {
  /** What kind of structure: `key-index` (SQLite) is the only one so far. */
  readonly kind: 'key-index';
  /** Its name in the store, such as the index's. */
  readonly name: string;
  /** What the collection is without it, in a sentence for `doctor`. */
  readonly without: string;
}

export interface StoreInfo {
  readonly product: string;
  readonly version: string;
  /** Why `version` is not a version number, when the store does not report one (DynamoDB). */
  readonly versionNote?: string;
}

/** Stringifies a key the way getMany's result map is keyed: numbers and strings never collide. */
export function keyId(key: DocKey): string {
  if (typeof key === 'number') return `n:${key}`;
  if (typeof key === 'string') return `s:${key}`;
  return `o:${key.$oid}`;
}

/**
 * The key a {@link keyId} string stands for, its inverse. Throws `store.failed` on a string keyId
 * never makes: ids come back from storage (SQLite's `k` column), so that is a row steward did not write.
 */
export function keyFromId(id: string): DocKey {
  const value = id.slice(2);
  if (id.startsWith('s:')) return value;
  if (id.startsWith('o:')) return { $oid: value };
  const n = id.startsWith('n:') && value !== '' ? Number(value) : Number.NaN;
  if (Number.isFinite(n)) return n;
  throw new StewardError('store.failed', `"${id}" is not a key id (n:<number>, s:<string> or o:<hex>)`);
}

/** True for a value usable as a key. */
export function isDocKey(value: unknown): value is DocKey {
  if (typeof value === 'string' || (typeof value === 'number' && Number.isFinite(value))) return true;
  return (
    typeof value === 'object' &&
    value !== null &&
    Object.keys(value).length === 1 &&
    typeof (value as { $oid?: unknown }).$oid === 'string'
  );
}

/** Reads a document's key, or undefined when it has none of a valid type. */
export function docKey(doc: JsonObject, spec: CollectionSpec): DocKey | undefined {
  const key = doc[spec.keyField];
  return isDocKey(key) ? key : undefined;
}
