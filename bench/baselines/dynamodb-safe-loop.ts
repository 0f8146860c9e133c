import {
  type AttributeValue,
  BatchGetItemCommand,
  type BatchGetItemCommandOutput,
  CreateTableCommand,
  DeleteTableCommand,
  type DynamoDBClient,
  GetItemCommand,
  type Put,
  PutItemCommand,
  QueryCommand,
  ResourceNotFoundException,
  ScanCommand,
  TransactionCanceledException,
  type TransactWriteItem,
  TransactWriteItemsCommand,
  type WriteRequest,
  waitUntilTableExists,
  waitUntilTableNotExists,
} from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import type { JsonObject } from '../../src/core/json.js';
import type { DigestCensus, SafeLoopJob, SafeLoopResult, SafeRollbackResult } from './baseline.js';
import { canonicalJson } from './canonical-json.js';
import { addDigest, digestTail, textDigest } from './digest-sum.js';
import { batchWriteAll } from './dynamodb-batch-write.js';
import { imageEntries, imageHeadEntry } from './safe-loop-image.js';

/**
 * The safe migration written by hand with the AWS SDK v3 (issue 17, eighth pass, DynamoDB Local):
 * the guarantees `migrate apply` gives, the cheapest way the SDK allows, so the bench can say what
 * they cost any program on this store. The same meaning as sqlite-safe-loop.ts, with what DynamoDB
 * lacks (a transaction over more than 100 items, a range read in key order) done otherwise:
 *
 * - a before-image of every written document, saved durably BEFORE its page's writes (image items
 *   in a side table, each under 400 KB: a JSON head of key, written version, after digest and
 *   length an entry, then the before documents' JSON texts joined, as SQLite's image row), so a
 *   crash never leaves a write without its image;
 * - a before and an after checksum, sums of SHA-256 of each document's canonical JSON
 *   (canonical-json.ts, digest-sum.ts): steward keeps content checksums on DynamoDB, which keeps
 *   no text (a document comes back in another field order), where SQLite's loop sums stored texts;
 * - the contract check of every written document before anything of its page is written;
 * - conditional writes: TransactWriteItems of up to 100 Puts, each on the condition that
 *   `schemaVersion` is still the version read (apply's own condition; DynamoDB cannot compare a
 *   whole item in a condition, so a write that keeps the version is not seen), one transaction at
 *   a time: DynamoDB Local runs transactions one at a time and costs more CPU and wall time when
 *   they are sent together (src/stores/dynamodb/concurrency.ts, `bench/tools/dynamodb-write-modes.ts`);
 *   conditional PutItem one a call took 7-10x the CPU (dynamodb-baseline.ts);
 * - a checkpoint item per page (the Scan's last evaluated key, pages, documents, the two sums),
 *   written after the page's writes: a rerun resumes after it. A page whose writes were cut short
 *   (some transactions committed, not all) is finished from its image on the rerun: a document
 *   the image holds and that is now as apply wrote it keeps the image's before text and is not
 *   written again.
 *
 * Pages are the Scan's (`Limit` the bench's batch, `ExclusiveStartKey` as the Scan gives it):
 * DynamoDB has no key order to read in.
 */
export interface DynamoSafeLoop {
  /** Drops and recreates the side table (images and checkpoints). */
  reset(): Promise<void>;
  run(job: SafeLoopJob): Promise<SafeLoopResult>;
  rollback(poll: () => void): Promise<SafeRollbackResult>;
  census(): Promise<DigestCensus>;
  drop(): Promise<void>;
}

/** Items of a TransactWriteItems call: DynamoDB's limit. */
const transactionItems = 100;
/** Keys of a BatchGetItem call: DynamoDB's limit. */
const getKeys = 100;
/** BatchGetItem calls in flight when rollback reads a chunk's current items. */
const getsInFlight = 10;
/** Bytes of before texts an image item holds at most: under DynamoDB's 400 KB with its head. */
const chunkBytes = 300_000;
const maxAttempts = 8;

/** The side table's keys: `p` the page (0 for the checkpoints), `c` the chunk (0 apply, 1 rollback). */
const checkpointPage = 0;

/** The safe loop over `table` (key `id`, a string), its images and checkpoints in `${table}_safe`. */
export function dynamoSafeLoop(client: DynamoDBClient, table: string): DynamoSafeLoop {
  const side = `${table}_safe`;
  const dropSide = async (): Promise<void> => {
    try {
      await client.send(new DeleteTableCommand({ TableName: side }));
      await waitUntilTableNotExists({ client, maxWaitTime: 60 }, { TableName: side });
    } catch (error) {
      if (!(error instanceof ResourceNotFoundException)) throw error;
    }
  };
  return {
    async reset() {
      await dropSide();
      await client.send(
        new CreateTableCommand({
          TableName: side,
          AttributeDefinitions: [
            { AttributeName: 'p', AttributeType: 'N' },
            { AttributeName: 'c', AttributeType: 'N' },
          ],
          KeySchema: [
            { AttributeName: 'p', KeyType: 'HASH' },
            { AttributeName: 'c', KeyType: 'RANGE' },
          ],
          BillingMode: 'PAY_PER_REQUEST',
        }),
      );
      await waitUntilTableExists({ client, maxWaitTime: 60 }, { TableName: side });
    },
    run: (job) => runSafeLoop(client, table, side, job),
    rollback: (poll) => rollbackSafeLoop(client, table, side, poll),
    census: () => digestCensus(client, table),
    drop: dropSide,
  };
}

/** The apply checkpoint: where the Scan resumes, and the running sums. */
interface ApplyCheckpoint {
  readonly last: Record<string, AttributeValue> | undefined;
  readonly pages: number;
  readonly docs: number;
  readonly beforeSum: number;
  readonly afterSum: number;
}

/** One document of a page: what is written, and what its image entry says. */
interface PageEntry {
  readonly id: string;
  readonly before: string;
  readonly version: unknown;
  readonly after: string;
  /** The item to write; undefined when a cut-short run already wrote it (see `unfinishedImage`). */
  readonly item: Record<string, AttributeValue> | undefined;
  readonly readVersion: AttributeValue | undefined;
}

async function runSafeLoop(
  client: DynamoDBClient,
  table: string,
  side: string,
  job: SafeLoopJob,
): Promise<SafeLoopResult> {
  let cp = await readApplyCheckpoint(client, side);
  // A run cut short between its image and its checkpoint left an image for the next page.
  let unfinished = await unfinishedImage(client, side, cp.pages + 1);
  // A checkpoint without a last key is a finished apply: nothing left to read.
  let start = cp.last;
  if (cp.pages > 0 && !start) return resultOf(cp);
  do {
    const page = await client.send(
      new ScanCommand({ TableName: table, Limit: job.pageSize, ExclusiveStartKey: start }),
    );
    const items = page.Items ?? [];
    start = page.LastEvaluatedKey;
    if (items.length === 0) continue;
    let { beforeSum, afterSum } = cp;
    const entries = new Array<PageEntry>(items.length);
    for (let i = 0; i < items.length; i++) {
      const raw = items[i]!;
      const doc = unmarshall(raw) as JsonObject;
      const id = doc.id as string;
      const canonical = canonicalJson(doc);
      const prior = unfinished?.entries.get(id);
      if (prior && prior.after === textDigest(canonical)) {
        // Written by the run cut short: its before is the image's, and it is not written again.
        beforeSum = addDigest(beforeSum, digestTail(textDigest(canonicalJson(JSON.parse(prior.before)))));
        afterSum = addDigest(afterSum, digestTail(prior.after));
        entries[i] = {
          id,
          before: prior.before,
          version: prior.version,
          after: prior.after,
          item: undefined,
          readVersion: undefined,
        };
        continue;
      }
      beforeSum = addDigest(beforeSum, digestTail(textDigest(canonical)));
      const next = job.transform(doc);
      const problem = job.check(next);
      if (problem !== undefined) throw new Error(`safe loop: ${id} ${problem}`);
      const after = textDigest(canonicalJson(next));
      afterSum = addDigest(afterSum, digestTail(after));
      entries[i] = {
        id,
        before: JSON.stringify(doc),
        version: next.schemaVersion ?? null,
        after,
        item: marshall(next),
        readVersion: raw.schemaVersion,
      };
    }
    const pages = cp.pages + 1;
    // The image first, durably: every write below has its before text saved. Chunks an unfinished
    // run's image had beyond this one's (its before texts had other lengths) are deleted with it.
    await writeImage(client, side, pages, entries, unfinished?.chunks ?? 0);
    await writeConditionally(client, table, entries);
    cp = {
      last: page.LastEvaluatedKey,
      pages,
      docs: cp.docs + items.length,
      beforeSum,
      afterSum,
    };
    await writeApplyCheckpoint(client, side, cp);
    unfinished = undefined;
    job.poll();
  } while (start);
  return resultOf(cp);
}

function resultOf(cp: ApplyCheckpoint): SafeLoopResult {
  return { docs: cp.docs, pages: cp.pages, beforeSum: cp.beforeSum, afterSum: cp.afterSum };
}

async function readApplyCheckpoint(client: DynamoDBClient, side: string): Promise<ApplyCheckpoint> {
  const text = await readCheckpoint(client, side, 0);
  if (text === undefined) return { last: undefined, pages: 0, docs: 0, beforeSum: 0, afterSum: 0 };
  const saved = JSON.parse(text) as ApplyCheckpoint & { last: string | null };
  return { ...saved, last: saved.last === null ? undefined : JSON.parse(saved.last) };
}

async function writeApplyCheckpoint(
  client: DynamoDBClient,
  side: string,
  cp: ApplyCheckpoint,
): Promise<void> {
  await writeCheckpoint(
    client,
    side,
    0,
    JSON.stringify({ ...cp, last: cp.last ? JSON.stringify(cp.last) : null }),
  );
}

/** A checkpoint's JSON text (`c` 0 apply's, 1 rollback's), read consistently; undefined when none. */
async function readCheckpoint(client: DynamoDBClient, side: string, c: 0 | 1): Promise<string | undefined> {
  const out = await client.send(
    new GetItemCommand({
      TableName: side,
      Key: { p: { N: String(checkpointPage) }, c: { N: String(c) } },
      ConsistentRead: true,
    }),
  );
  return out.Item?.v?.S;
}

async function writeCheckpoint(client: DynamoDBClient, side: string, c: 0 | 1, text: string): Promise<void> {
  await client.send(
    new PutItemCommand({
      TableName: side,
      Item: { p: { N: String(checkpointPage) }, c: { N: String(c) }, v: { S: text } },
    }),
  );
}

/** An image entry read back: the before text, the written version and the after digest. */
interface ImageEntry {
  readonly before: string;
  readonly version: unknown;
  readonly after: string;
}

/**
 * The image a run cut short left for `page`, by key, and how many chunks it has; undefined when
 * there is none. A rerun must use the same page size: the Scan gives the same page from the same
 * start key only with the same `Limit`.
 */
async function unfinishedImage(
  client: DynamoDBClient,
  side: string,
  page: number,
): Promise<{ entries: Map<string, ImageEntry>; chunks: number } | undefined> {
  const chunks = await imageChunks(client, side, page);
  if (chunks.length === 0) return undefined;
  const out = new Map<string, ImageEntry>();
  for (const chunk of chunks) {
    const { head, befores } = parseChunk(chunk);
    for (let e = 0, i = 0; e < head.length; e += 4, i++)
      out.set(head[e] as string, { before: befores[i]!, version: head[e + 1], after: head[e + 2] as string });
  }
  return { entries: out, chunks: chunks.length };
}

/**
 * The page's image as items of under 400 KB (see `chunkBytes`), written with BatchWriteItem, all
 * at once: a JSON head (`h`) of four values an entry (key, written version, after digest, length of
 * the before text) and the before texts joined (`b`), not escaped into JSON strings (as SQLite's).
 */
async function writeImage(
  client: DynamoDBClient,
  side: string,
  page: number,
  entries: readonly PageEntry[],
  staleChunks: number,
): Promise<void> {
  const requests: WriteRequest[] = [];
  let head = '[';
  let body = '';
  let bytes = 0;
  const flush = (): void => {
    requests.push({
      PutRequest: {
        Item: {
          p: { N: String(page) },
          c: { N: String(requests.length + 1) },
          h: { S: `${head}]` },
          b: { S: body },
        },
      },
    });
    head = '[';
    body = '';
    bytes = 0;
  };
  for (const entry of entries) {
    const size = Buffer.byteLength(entry.before);
    if (bytes > 0 && bytes + size > chunkBytes) flush();
    head += `${head === '[' ? '' : ','}${imageHeadEntry(entry.id, entry.version, entry.after, entry.before)}`;
    body += entry.before;
    bytes += size + 100;
  }
  if (bytes > 0) flush();
  for (let c = requests.length + 1; c <= staleChunks; c++)
    requests.push({ DeleteRequest: { Key: { p: { N: String(page) }, c: { N: String(c) } } } });
  const calls: Promise<void>[] = [];
  for (let i = 0; i < requests.length; i += 25)
    calls.push(batchWriteAll(client, side, requests.slice(i, i + 25)));
  await Promise.all(calls);
}

/** A chunk read back: its head values, four an entry, and the before texts. */
function parseChunk(item: Record<string, AttributeValue>): { head: unknown[]; befores: string[] } {
  return imageEntries(item.h!.S!, item.b!.S!);
}

/** The image chunks of a page, in chunk order (one Query, paged past 1 MB). */
async function imageChunks(
  client: DynamoDBClient,
  side: string,
  page: number,
): Promise<Record<string, AttributeValue>[]> {
  const out: Record<string, AttributeValue>[] = [];
  let start: Record<string, AttributeValue> | undefined;
  do {
    const res = await client.send(
      new QueryCommand({
        TableName: side,
        KeyConditionExpression: 'p = :p',
        ExpressionAttributeValues: { ':p': { N: String(page) } },
        ConsistentRead: true,
        ExclusiveStartKey: start,
      }),
    );
    out.push(...(res.Items ?? []));
    start = res.LastEvaluatedKey;
  } while (start);
  return out;
}

/**
 * The page's writes, TransactWriteItems of up to 100 Puts one after the other, each Put on the
 * condition that `schemaVersion` is still the version read. A refused write is a conflict.
 */
async function writeConditionally(
  client: DynamoDBClient,
  table: string,
  entries: readonly PageEntry[],
): Promise<void> {
  const puts = entries.flatMap((entry) =>
    entry.item
      ? [{ id: entry.id, put: { TableName: table, Item: entry.item, ...versionIs(entry.readVersion) } }]
      : [],
  );
  await transactAll(client, puts, 'safe loop', 'changed since it was read');
}

/** Puts in transactions of up to 100, one after the other (what DynamoDB Local runs cheapest). */
async function transactAll(
  client: DynamoDBClient,
  puts: readonly { readonly id: string; readonly put: Put }[],
  who: string,
  what: string,
): Promise<void> {
  for (let i = 0; i < puts.length; i += transactionItems) {
    const group = puts.slice(i, i + transactionItems);
    await transact(
      client,
      group.map(({ put }) => ({ Put: put })),
      group.map(({ id }) => id),
      who,
      what,
    );
  }
}

/** The condition that `schemaVersion` holds `value` (or is absent, when it was). */
function versionIs(value: AttributeValue | undefined) {
  return value === undefined
    ? { ConditionExpression: 'attribute_not_exists(schemaVersion)' }
    : { ConditionExpression: 'schemaVersion = :v', ExpressionAttributeValues: { ':v': value } };
}

/** One transaction, retried while DynamoDB reports a conflict with another transaction. */
async function transact(
  client: DynamoDBClient,
  items: TransactWriteItem[],
  ids: readonly string[],
  who: string,
  what: string,
): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await client.send(new TransactWriteItemsCommand({ TransactItems: items }));
      return;
    } catch (error) {
      if (!(error instanceof TransactionCanceledException)) throw error;
      const reasons = error.CancellationReasons ?? [];
      const refused = reasons.findIndex((r) => r.Code === 'ConditionalCheckFailed');
      if (refused >= 0)
        throw new Error(`${who}: ${ids[refused]} ${what} (conflict); its transaction wrote nothing`);
      if (attempt + 1 === maxAttempts) throw error;
      await new Promise((resolve) => setTimeout(resolve, 10 * 2 ** attempt));
    }
  }
}

/** The rollback checkpoint: the last image chunk restored (page, chunk) and documents so far. */
interface RollbackCheckpoint {
  readonly page: number;
  readonly chunk: number;
  readonly docs: number;
}

/**
 * The rollback loop: per image chunk, the current items read (BatchGetItem, 10 calls in flight),
 * each checked to be still as apply wrote it (version, and canonical digest equal to the image's
 * after digest), then the before documents written back in TransactWriteItems of 100 Puts, each on
 * the condition that `schemaVersion` is still the written version (what the condition guarantees:
 * nobody moved the document to another version since the check; a write between the check and the
 * restore that keeps the version is not seen, as in apply), then a checkpoint. Then the census.
 */
async function rollbackSafeLoop(
  client: DynamoDBClient,
  table: string,
  side: string,
  poll: () => void,
): Promise<SafeRollbackResult> {
  const applied = await readApplyCheckpoint(client, side);
  if (applied.pages === 0) throw new Error('safe rollback: no apply checkpoint, nothing to roll back');
  let cp = await readRollbackCheckpoint(client, side);
  for (let page = Math.max(cp.page, 1); page <= applied.pages; page++) {
    for (const chunk of await imageChunks(client, side, page)) {
      const number = Number(chunk.c!.N);
      if (page === cp.page && number <= cp.chunk) continue;
      const { head, befores } = parseChunk(chunk);
      const restored = await checkCurrent(client, table, head, befores);
      const puts: { id: string; put: Put }[] = [];
      for (let e = 0, i = 0; e < head.length; e += 4, i++) {
        if (restored[i]) continue;
        const Item = marshall(JSON.parse(befores[i]!));
        puts.push({
          id: head[e] as string,
          put: { TableName: table, Item, ...versionIs(marshall({ v: head[e + 1] }).v) },
        });
      }
      await transactAll(client, puts, 'safe rollback', 'changed since it was checked');
      cp = { page, chunk: number, docs: cp.docs + befores.length };
      await writeCheckpoint(client, side, 1, JSON.stringify(cp));
      poll();
    }
  }
  const census = await digestCensus(client, table);
  return {
    docs: cp.docs,
    census,
    exact: census.count === applied.docs && census.sum === applied.beforeSum,
  };
}

async function readRollbackCheckpoint(client: DynamoDBClient, side: string): Promise<RollbackCheckpoint> {
  const text = await readCheckpoint(client, side, 1);
  return text === undefined ? { page: 0, chunk: 0, docs: 0 } : (JSON.parse(text) as RollbackCheckpoint);
}

/**
 * Reads a chunk's documents as they are now and throws unless each is still as apply wrote it, or
 * already back to its before text (restored by a rollback cut short between two transactions of
 * the chunk, before its checkpoint): those are flagged, not written again.
 */
async function checkCurrent(
  client: DynamoDBClient,
  table: string,
  head: readonly unknown[],
  befores: readonly string[],
): Promise<boolean[]> {
  const keys: Record<string, AttributeValue>[] = [];
  for (let e = 0; e < head.length; e += 4) keys.push({ id: { S: head[e] as string } });
  const current = new Map<string, JsonObject>();
  const groups: Record<string, AttributeValue>[][] = [];
  for (let i = 0; i < keys.length; i += getKeys) groups.push(keys.slice(i, i + getKeys));
  const worker = async (): Promise<void> => {
    for (let group = groups.shift(); group; group = groups.shift()) {
      let pending: Record<string, AttributeValue>[] | undefined = group;
      for (let attempt = 0; pending && pending.length > 0; attempt++) {
        if (attempt === maxAttempts) throw new Error('safe rollback: keys still unprocessed by BatchGetItem');
        if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 10 * 2 ** attempt));
        const out: BatchGetItemCommandOutput = await client.send(
          new BatchGetItemCommand({ RequestItems: { [table]: { Keys: pending, ConsistentRead: true } } }),
        );
        for (const item of out.Responses?.[table] ?? []) {
          const doc = unmarshall(item) as JsonObject;
          current.set(doc.id as string, doc);
        }
        pending = out.UnprocessedKeys?.[table]?.Keys;
      }
    }
  };
  await Promise.all(Array.from({ length: getsInFlight }, worker));
  const restored = new Array<boolean>(befores.length).fill(false);
  for (let e = 0, i = 0; e < head.length; e += 4, i++) {
    const id = head[e] as string;
    const doc = current.get(id);
    if (!doc) throw new Error(`safe rollback: ${id} is gone since apply (conflict)`);
    const digest = textDigest(canonicalJson(doc));
    if ((doc.schemaVersion ?? null) === head[e + 1] && digest === head[e + 2]) continue;
    if (digest === textDigest(canonicalJson(JSON.parse(befores[i]!)))) restored[i] = true;
    else throw new Error(`safe rollback: ${id} changed since apply wrote it (conflict)`);
  }
  return restored;
}

/** The table's count, checksum and documents per version: a Scan of pages of 1000, every item hashed. */
async function digestCensus(client: DynamoDBClient, table: string): Promise<DigestCensus> {
  const versions: Record<string, number> = {};
  let count = 0;
  let sum = 0;
  let start: Record<string, AttributeValue> | undefined;
  do {
    const page = await client.send(
      new ScanCommand({ TableName: table, Limit: 1000, ExclusiveStartKey: start, ConsistentRead: true }),
    );
    for (const item of page.Items ?? []) {
      const doc = unmarshall(item) as JsonObject;
      sum = addDigest(sum, digestTail(textDigest(canonicalJson(doc))));
      const version = String(doc.schemaVersion ?? null);
      versions[version] = (versions[version] ?? 0) + 1;
      count++;
    }
    start = page.LastEvaluatedKey;
  } while (start);
  return { count, sum, versions };
}
