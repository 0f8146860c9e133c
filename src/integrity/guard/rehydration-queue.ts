import { parseFilter } from '../../core/filter.js';
import { sha256 } from '../../core/hash.js';
import type { JsonObject } from '../../core/json.js';
import type { Ledger } from '../../ledger/ledger.js';
import { statusOf } from '../../ledger/ledger-document.js';
import { scanDocuments } from '../../stores/scan-pages.js';
import { type Collection, type DocKey, keyId } from '../../stores/store.js';

/**
 * A request, made by a read that met a missing target, to bring that target back. One per
 * reference and missing key, however many reads meet it: a popular orphan queues one request.
 * `steward refs rehydrate` works the queue and marks each request done with its outcome.
 */
export interface RehydrationRequest {
  readonly id: string;
  /** The reference, `<collection>.<field>`. */
  readonly reference: string;
  /** The missing target key. */
  readonly key: DocKey;
  /** The document whose read found it missing (the first one), for the incident if it cannot be rehydrated. */
  readonly sourceKey: DocKey;
  readonly status: 'pending' | 'done';
  readonly requestedAt: string;
  /** How it ended: `rehydrated`, `present` (back already), `incident` (recorded for a person)... */
  readonly outcome?: string;
  readonly note?: string;
  readonly doneAt?: string;
}

/** The id of the request for a reference and missing key. */
export function rehydrationId(reference: string, key: DocKey): string {
  return `rhy-${sha256(`${reference}\u0000${keyId(key)}`).slice(0, 40)}`;
}

/** Collections whose existence this process already ensured: the guard runs on every read. */
const ensured = new WeakMap<Ledger, Promise<void>>();

/** The ledger's `rehydrations` collection, created once per ledger handle. */
export async function rehydrationsCollection(ledger: Ledger): Promise<Collection> {
  let ready = ensured.get(ledger);
  if (!ready) {
    ready = ledger.openCollection('rehydrations').then(() => undefined);
    ensured.set(ledger, ready);
    ready.catch(() => ensured.delete(ledger));
  }
  await ready;
  return ledger.collection('rehydrations');
}

/**
 * Queues a request; idempotent. A request already pending stays as it is (one round trip, the
 * refused insert); one already done is made pending again, because the target is missing again.
 */
export async function queueRehydration(
  queue: Collection,
  request: Pick<RehydrationRequest, 'reference' | 'key' | 'sourceKey'>,
  now: string,
): Promise<'queued' | 'already-queued' | 'requeued'> {
  const id = rehydrationId(request.reference, request.key);
  const doc: JsonObject = { ...request, status: 'pending', requestedAt: now, [queue.spec.keyField]: id };
  const [inserted] = await queue.write([{ type: 'insert', doc }]);
  if (statusOf(queue, inserted) === 'ok') return 'queued';
  const [reopened] = await queue.write([
    {
      type: 'patch',
      key: id,
      set: { status: 'pending', requestedAt: now, sourceKey: request.sourceKey },
      unset: ['outcome', 'note', 'doneAt'],
      expect: { field: 'status', value: 'done' },
    },
  ]);
  return statusOf(queue, reopened) === 'ok' ? 'requeued' : 'already-queued';
}

/** The pending requests, streamed a page at a time. */
export async function* pendingRehydrations(queue: Collection): AsyncGenerator<RehydrationRequest> {
  const filter = parseFilter({ status: 'pending' });
  for await (const doc of scanDocuments(queue, { filter, limit: 500 })) {
    yield { ...(doc as unknown as RehydrationRequest), id: String(doc[queue.spec.keyField]) };
  }
}

/** Marks a request done, unless it was already (another worker finished it). */
export async function finishRehydration(
  queue: Collection,
  request: RehydrationRequest,
  outcome: string,
  note: string | undefined,
  now: string,
): Promise<boolean> {
  const [result] = await queue.write([
    {
      type: 'patch',
      key: request.id,
      set: { status: 'done', outcome, doneAt: now, ...(note ? { note } : {}) },
      expect: { field: 'requestedAt', value: request.requestedAt },
    },
  ]);
  return statusOf(queue, result) === 'ok';
}
