import { getPath, type JsonObject, type JsonValue } from '../../core/json.js';
import type { Clock } from '../../ledger/clock.js';
import type { Ledger } from '../../ledger/ledger.js';
import type { IntegrityEventListener } from '../../signals/integrity-event.js';
import { type Collection, type DocKey, docKey, keyId } from '../../stores/store.js';
import type { ResolvedReference } from '../reference.js';
import { readReference } from '../reference-keys.js';
import { queueRehydration, rehydrationsCollection } from './rehydration-queue.js';

/** What a service needs to guard its reads: the ledger, its collections by config name, and a listener. */
export interface GuardContext {
  readonly ledger: Ledger;
  /** The handle of a collection named in the config's `collections`. */
  collection(name: string): Collection;
  readonly onEvent?: IntegrityEventListener;
  readonly clock?: Clock;
}

/**
 * A reference followed at read time. `ok`: every target is there (`target` is one document for a
 * single reference, an array for an array reference, null for an empty optional one). `missing`:
 * a clearly partial result: `found` holds the targets that are there, `missingKeys` the ones that
 * are not, and each missing key was queued for rehydration (`queued` false, with `queueError`, if
 * the ledger could not take the request: the read still gets its answer).
 */
export type ReferenceResolution =
  | { readonly status: 'ok'; readonly doc: JsonObject; readonly target: JsonObject | JsonObject[] | null }
  | {
      readonly status: 'missing';
      readonly partial: true;
      readonly doc: JsonObject;
      readonly missingKeys: readonly DocKey[];
      readonly found: readonly JsonObject[];
      /** Values at the field that are not keys at all: nothing to look up or rehydrate. */
      readonly invalid: readonly JsonValue[];
      readonly queued: boolean;
      readonly queueError?: string;
    };

/**
 * Follows a document's reference to its targets for a read, the fallback path for orphans: a
 * missing target never throws. The read gets a marked partial result at once, and the missing
 * keys are queued in the ledger (once per reference and key) for `steward refs rehydrate`, so the
 * repair happens later, off the read path. One round trip to the target; one more to the ledger
 * only when something is missing.
 */
export async function resolveReference(
  input: GuardContext & { readonly reference: ResolvedReference; readonly doc: JsonObject },
): Promise<ReferenceResolution> {
  const { reference, doc } = input;
  const value = readReference(doc, reference.field);
  // An array at the field, or a path through arrays of objects (nothing at the plain path but
  // keys found by walking them), holds several references: the target is then an array.
  const plain = getPath(doc, reference.field);
  const many = Array.isArray(plain) || (plain === undefined && value.kind === 'keys');
  if (value.kind !== 'keys') {
    if (!reference.required) return read(input, { status: 'ok', doc, target: many ? [] : null });
    return read(input, {
      status: 'missing',
      partial: true,
      doc,
      missingKeys: [],
      found: [],
      invalid: [],
      queued: false,
    });
  }
  const targets = await input.collection(reference.target).getMany(value.keys);
  const found = value.keys.map((k) => targets.get(keyId(k))).filter((d): d is JsonObject => d !== undefined);
  const missingKeys = distinct(value.keys.filter((k) => !targets.has(keyId(k))));
  if (missingKeys.length === 0 && value.invalid.length === 0) {
    return read(input, { status: 'ok', doc, target: many ? found : (found[0] ?? null) });
  }
  const queue = await queueMissing(input, missingKeys);
  return read(input, {
    status: 'missing',
    partial: true,
    doc,
    missingKeys,
    found,
    invalid: value.invalid,
    ...queue,
  });
}

async function queueMissing(
  input: GuardContext & { readonly reference: ResolvedReference; readonly doc: JsonObject },
  keys: readonly DocKey[],
): Promise<{ queued: boolean; queueError?: string }> {
  if (keys.length === 0) return { queued: false };
  const sourceSpec = input.collection(input.reference.collection).spec;
  const sourceKey = docKey(input.doc, sourceSpec);
  if (sourceKey === undefined)
    return { queued: false, queueError: `the document has no key in "${sourceSpec.keyField}"` };
  const at = new Date(input.clock ? input.clock() : Date.now()).toISOString();
  try {
    const queue = await rehydrationsCollection(input.ledger);
    for (const key of keys) {
      const outcome = await queueRehydration(queue, { reference: input.reference.name, key, sourceKey }, at);
      if (outcome !== 'already-queued')
        input.onEvent?.({ type: 'rehydration-queued', reference: input.reference.name, key, at });
    }
    return { queued: true };
  } catch (error) {
    return { queued: false, queueError: (error as Error).message };
  }
}

function read<R extends ReferenceResolution>(
  input: GuardContext & { reference: ResolvedReference },
  result: R,
): R {
  const at = new Date(input.clock ? input.clock() : Date.now()).toISOString();
  input.onEvent?.({ type: 'guard-read', reference: input.reference.name, status: result.status, at });
  return result;
}

function distinct(keys: readonly DocKey[]): DocKey[] {
  return [...new Map(keys.map((k) => [keyId(k), k])).values()];
}
