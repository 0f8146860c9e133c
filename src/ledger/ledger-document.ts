import type { JsonObject } from '../core/json.js';
import { StewardError } from '../errors/steward-error.js';
import { type Collection, keyId, type WriteOp, type WriteResult } from '../stores/store.js';

/**
 * Small helpers the ledger's parts share for reading and writing one document at a time. Ledger
 * keys are always strings, so a document's key field can be added and removed without loss.
 */

/** Reads one document by key; undefined when absent. */
export async function readLedgerDoc(collection: Collection, key: string): Promise<JsonObject | undefined> {
  const found = await collection.getMany([key]);
  return found.get(keyId(key));
}

/**
 * Applies one write and returns its status. A `failed` result is the store refusing the write
 * (too large, throttled past retries), never a condition steward checks, so it is thrown.
 */
export async function writeLedgerDoc(
  collection: Collection,
  op: WriteOp,
): Promise<Exclude<WriteResult['status'], 'failed'>> {
  const results = await collection.write([op]);
  return statusOf(collection, results[0]);
}

/** The status of one result of a ledger write, throwing on `failed` (see {@link writeLedgerDoc}). */
export function statusOf(
  collection: Collection,
  result: WriteResult | undefined,
): Exclude<WriteResult['status'], 'failed'> {
  if (!result)
    throw new StewardError(
      'store.failed',
      `no write result from ledger collection "${collection.spec.name}"`,
    );
  if (result.status === 'failed') {
    throw new StewardError(
      'store.failed',
      `the store refused a write to ledger collection "${collection.spec.name}": ${result.reason}`,
      { collection: collection.spec.name },
    );
  }
  return result.status;
}

/** The document with its key field set. */
export function withKey(collection: Collection, key: string, doc: JsonObject): JsonObject {
  return { [collection.spec.keyField]: key, ...doc };
}

/** The document without its key field: what the ledger's parts reason about. */
export function withoutKey(collection: Collection, doc: JsonObject): JsonObject {
  const { [collection.spec.keyField]: _key, ...rest } = doc;
  return rest;
}
