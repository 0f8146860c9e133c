import type { JsonObject } from '../core/json.js';
import { StewardError } from '../errors/steward-error.js';
import type { Collection, WriteOp } from '../stores/store.js';
import { backoff } from './clock.js';
import type { Fence } from './lease.js';
import { readLedgerDoc, withKey, withoutKey, writeLedgerDoc } from './ledger-document.js';

/**
 * Writes to ledger documents under a lease's fencing token.
 *
 * A fenced document carries `fence` (the token of the last holder that wrote it) and
 * `fenceLease` (the lease name). Every write is conditional on the `fence` read just before, and
 * a holder whose token is lower than the stored fence is refused with `lease.lost`. In addition,
 * every write attempt asks the lease first and afterwards whether a newer acquisition exists
 * (`Fence.assertCurrent`, one small read each) and throws `lease.lost` if so. A new holder's
 * acquisition is an insert that completes before it claims or writes any fenced document, so:
 *
 * On every store, FerretDB included:
 * - a write attempt that starts after a newer holder acquired the lease writes nothing, except a
 *   `claimed` {@link putFenced} (a checkpoint save), which skips the check before the write: it
 *   writes nothing once the newer holder has claimed the document, and before that claim its
 *   write is what the claim reads;
 * - a call that returns normally was applied before any newer holder acquired the lease, so the
 *   newer holder's claim (`claimFenced`) reads it: nothing a stale holder reports as saved is
 *   missed by the holder that resumes the job.
 *
 * On stores whose conditional writes are atomic (`capabilities.atomicConditionalWrites`: SQLite,
 * MongoDB, DynamoDB), also: a stale write already in flight when the lease was taken over
 * either lands before the newer holder claims or writes that document (which then reads it or
 * overwrites it) or is refused by its fence condition. A stale holder never overwrites what a
 * newer holder wrote or claimed.
 *
 * On FerretDB 1.x (`atomicConditionalWrites: false`) the fence condition is checked and applied
 * in two steps, so that last guarantee does not hold: a stale write in flight across the
 * takeover (its first check passed before the newer holder's insert) can land after the newer
 * holder claimed the document, putting back the stale content and the older fence. Its caller
 * then gets `lease.lost` (the check after the write sees the newer acquisition) and the newer
 * holder's next fenced write of the document replaces it (the stored fence is older than
 * its token). Until then a reader can see the stale content. At most one such write per
 * document and stale caller, and only one that was already in flight at the takeover.
 *
 * Limits everywhere: this protects ledger documents written through these functions, not user
 * documents, whose writes are guarded by per-document version expectations.
 */
export const fenceField = 'fence';
export const fenceLeaseField = 'fenceLease';

/** Attempts before `ledger.conflict`: every retry means another writer succeeded meanwhile. */
const maxAttempts = 50;

/**
 * Check-then-write under the fence: reads the document, calls `update` with it (without the key
 * field; undefined when absent) and writes what it returns (`null` deletes), conditional on the
 * fence read. Retries with a fresh read when the document changed meanwhile. `update` may throw
 * to refuse the write. Returns the document written, or null when deleted or nothing to delete.
 */
export async function writeFenced(
  collection: Collection,
  key: string,
  fence: Fence,
  update: (current: JsonObject | undefined) => JsonObject | null,
): Promise<JsonObject | null> {
  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    await fence.assertCurrent(`write "${key}"`);
    const stored = await readLedgerDoc(collection, key);
    const current = stored && withoutKey(collection, stored);
    const storedFence = checkFence(collection, key, fence, current);
    const next = update(current);
    if (next === null && !current) return null;
    const status = await writeLedgerDoc(
      collection,
      fencedOp(collection, key, fence, next, current, storedFence),
    );
    if (status === 'ok') {
      await fence.assertCurrent(`go on after writing "${key}"`);
      return next && fenced(next, fence);
    }
    await backoff(attempt);
  }
  throw tooBusy(collection, key);
}

/** How {@link putFenced} checks the lease. */
export interface PutFencedOptions {
  /**
   * The document was claimed by this holder (`claimFenced`) before the job started writing it,
   * and every newer holder claims it before reading it: then the write's own condition (the
   * stored fence is our token) refuses a write after a newer holder's claim, and a write that
   * lands between a newer acquisition and its claim is read by that claim (progress the newer
   * holder redoes at most once), so the lease check before the write buys nothing and is skipped.
   * The check after the write stays: it stops the job before it writes anything more. Default
   * false (changelog records and other documents a newer holder reads without claiming).
   */
  readonly claimed?: boolean;
}

/**
 * Writes `doc` under the fence with one write when this holder wrote it last (the usual case for
 * a job saving its own progress), falling back to {@link writeFenced} otherwise. Three round
 * trips: the lease checks before and after, and the write; two for a `claimed` document (a
 * checkpoint saved after every batch), whose write condition does the check before.
 */
export async function putFenced(
  collection: Collection,
  key: string,
  fence: Fence,
  doc: JsonObject,
  options: PutFencedOptions = {},
): Promise<JsonObject> {
  const full = fenced(doc, fence);
  if (!options.claimed) await fence.assertCurrent(`write "${key}"`);
  const status = await writeLedgerDoc(collection, {
    type: 'replace',
    doc: withKey(collection, key, full),
    expect: { field: fenceField, value: fence.token },
  });
  if (status === 'ok') {
    await fence.assertCurrent(`go on after writing "${key}"`);
    return full;
  }
  return (await writeFenced(collection, key, fence, () => doc)) ?? full;
}

/**
 * Inserts `doc` under the fence when the document is absent: for a holder whose claim found
 * nothing to claim (a job's first checkpoint), one insert and the lease check after it, where
 * {@link putFenced} would first try a replace that finds nothing, then check the lease and read.
 * Returns false, having written nothing, when the key is taken (then use {@link putFenced}).
 * A stale holder's insert may land after a newer holder's claim found the document absent: the
 * newer holder, which started afresh, never reads it and its first save replaces it (an older
 * fence), and the check after the insert stops the stale holder with `lease.lost`.
 */
export async function insertFenced(
  collection: Collection,
  key: string,
  fence: Fence,
  doc: JsonObject,
): Promise<boolean> {
  const status = await writeLedgerDoc(collection, {
    type: 'insert',
    doc: withKey(collection, key, fenced(doc, fence)),
  });
  if (status !== 'ok') return false;
  await fence.assertCurrent(`go on after writing "${key}"`);
  return true;
}

/**
 * Deletes a document this holder claimed (see {@link PutFencedOptions.claimed}): one delete
 * conditional on our fence and the lease check after it, where {@link writeFenced} adds a lease
 * check and a read before. Falls back to {@link writeFenced} when the condition fails (the
 * document is gone, or was never written under our token), which refuses with `lease.lost` when a
 * newer holder has written it.
 */
export async function deleteClaimed(collection: Collection, key: string, fence: Fence): Promise<void> {
  const status = await writeLedgerDoc(collection, {
    type: 'delete',
    key,
    expect: { field: fenceField, value: fence.token },
  });
  if (status === 'ok') {
    await fence.assertCurrent(`go on after deleting "${key}"`);
    return;
  }
  await writeFenced(collection, key, fence, () => null);
}

/**
 * Claims a document for this holder: rewrites its fence with our token, conditional on the old
 * one, so the previous holder's later writes are refused. Returns the document (undefined when
 * absent: nothing to claim). A new holder calls this before reading state it will resume from.
 */
export async function claimFenced(
  collection: Collection,
  key: string,
  fence: Fence,
): Promise<JsonObject | undefined> {
  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    await fence.assertCurrent(`claim "${key}"`);
    const stored = await readLedgerDoc(collection, key);
    const current = stored && withoutKey(collection, stored);
    if (!current) return undefined;
    const storedFence = checkFence(collection, key, fence, current);
    if (storedFence === fence.token) return current;
    // The whole document as read, with our fence: a replace, which a store whose conditions are
    // atomic sends without reading it again; the condition on the old fence refuses it if it moved.
    const status = await writeLedgerDoc(collection, {
      type: 'replace',
      doc: withKey(collection, key, fenced(current, fence)),
      expect: { field: fenceField, value: storedFence },
    });
    if (status === 'ok') {
      await fence.assertCurrent(`go on after claiming "${key}"`);
      return fenced(current, fence);
    }
    await backoff(attempt);
  }
  throw tooBusy(collection, key);
}

/** The stored fence (undefined when unfenced); throws `lease.lost` when it is newer than ours. */
function checkFence(collection: Collection, key: string, fence: Fence, current: JsonObject | undefined) {
  if (!current) return undefined;
  const storedFence = current[fenceField];
  const storedLease = current[fenceLeaseField];
  if (storedFence === undefined) return undefined;
  if (typeof storedFence !== 'number' || (storedLease !== undefined && storedLease !== fence.name)) {
    throw new StewardError(
      'ledger.conflict',
      `ledger document "${key}" in "${collection.spec.name}" is fenced by lease ${JSON.stringify(storedLease)}, ` +
        `not "${fence.name}"; use the lease that guards it`,
      { collection: collection.spec.name, key },
    );
  }
  if (storedFence > fence.token) throw fenceLost(collection, key, fence, storedFence);
  return storedFence;
}

function fencedOp(
  collection: Collection,
  key: string,
  fence: Fence,
  next: JsonObject | null,
  current: JsonObject | undefined,
  storedFence: number | undefined,
): WriteOp {
  const expect = { field: fenceField, value: storedFence };
  if (next === null) return { type: 'delete', key, expect };
  const doc = withKey(collection, key, fenced(next, fence));
  return current ? { type: 'replace', doc, expect } : { type: 'insert', doc };
}

function fenced(doc: JsonObject, fence: Fence): JsonObject {
  return { ...doc, [fenceField]: fence.token, [fenceLeaseField]: fence.name };
}

/** The error a stale holder gets: someone with a newer token has written the document. */
export function fenceLost(
  collection: Collection,
  key: string,
  fence: Fence,
  storedFence: number,
): StewardError {
  return new StewardError(
    'lease.lost',
    `lease "${fence.name}" was lost: "${key}" in "${collection.spec.name}" is now fenced by token ` +
      `${storedFence}, this holder has token ${fence.token}. Another run has taken over; stop this one.`,
    { collection: collection.spec.name, key, lease: fence.name, token: fence.token, current: storedFence },
  );
}

function tooBusy(collection: Collection, key: string): StewardError {
  return new StewardError(
    'ledger.conflict',
    `ledger document "${key}" in "${collection.spec.name}" kept changing during ${maxAttempts} attempts to write it`,
    { collection: collection.spec.name, key },
  );
}
