import type { ResolvedReference } from '../../config/resolve-references.js';
import type { JsonObject } from '../../core/json.js';
import { type Collection, type CollectionSpec, type DocKey, docKey, keyId } from '../../stores/store.js';
import { alternateKeyForms, readReferenceAt } from '../reference-keys.js';
import { classifyReference, type KeyLookup, type Verdict } from './classify-reference.js';
import type { KnownKeys } from './known-keys.js';

/** One document's outcome. `key` is undefined only for a document without a usable key. */
export interface CheckedDocument {
  readonly key: DocKey | undefined;
  readonly verdict: Verdict;
}

/** A batch checked: an outcome per document, the distinct keys looked up and the getMany calls made. */
export interface BatchCheck {
  readonly checked: readonly CheckedDocument[];
  readonly keyIds: readonly string[];
  readonly lookups: number;
}

/**
 * Checks a batch of source documents against the target: one getMany for the batch's distinct
 * keys not already `known` to exist, and a second only when some are missing and have alternate
 * forms (a number written as a string, an ObjectId as hex), to tell a type mismatch from an
 * orphan. Never one call per document.
 */
export async function checkBatch(
  docs: readonly JsonObject[],
  reference: Pick<ResolvedReference, 'field' | 'required'>,
  sourceSpec: CollectionSpec,
  target: Collection,
  known?: KnownKeys,
): Promise<BatchCheck> {
  const steps = reference.field.split('.');
  const distinct = new Map<string, DocKey>();
  const reads = docs.map((doc) => {
    const value = readReferenceAt(doc, steps);
    const keys = value.kind === 'keys' ? value.keys : [];
    const ids = keys.map(keyId);
    for (let i = 0; i < ids.length; i++) distinct.set(ids[i]!, keys[i]!);
    return { key: docKey(doc, sourceSpec), value, ids };
  });
  let lookups = 0;
  const getMany = async (keys: ReadonlyMap<string, DocKey>): Promise<ReadonlyMap<string, unknown>> => {
    if (keys.size === 0) return new Map();
    lookups++;
    return target.getMany([...keys.values()]);
  };
  const unknown = new Map<string, DocKey>();
  for (const [id, key] of distinct) if (!known?.has(id)) unknown.set(id, key);
  const found = await getMany(unknown);
  const missing = new Map<string, DocKey>();
  for (const [id, key] of unknown) {
    if (found.has(id)) known?.add(id);
    else missing.set(id, key);
  }
  const alternates = alternatesOf(missing);
  const foundAlternates = await getMany(new Map([...alternates.values()].flat().map((k) => [keyId(k), k])));
  const lookup: KeyLookup = {
    has: (key) => !missing.has(keyId(key)),
    alternateOf: (key) => alternates.get(keyId(key))?.find((form) => foundAlternates.has(keyId(form))),
  };
  const checked = reads.map(({ key, value, ids }) => ({
    key,
    // The common case, every key found and nothing unusable, needs no classification.
    verdict:
      value.kind === 'keys' && value.invalid.length === 0 && ids.every((id) => !missing.has(id))
        ? ok
        : classifyReference(value, reference.required, lookup),
  }));
  return { checked, keyIds: [...distinct.keys()], lookups };
}

const ok: Verdict = { outcome: 'ok' };

/** The alternate forms of the missing keys that have any, by the missing key's id. */
function alternatesOf(missing: ReadonlyMap<string, DocKey>): Map<string, DocKey[]> {
  const out = new Map<string, DocKey[]>();
  for (const [id, key] of missing) {
    const forms = alternateKeyForms(key);
    if (forms.length > 0) out.set(id, forms);
  }
  return out;
}
