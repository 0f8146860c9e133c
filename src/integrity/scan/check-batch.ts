import type { JsonObject } from '../../core/json.js';
import { type Collection, type CollectionSpec, type DocKey, docKey, keyId } from '../../stores/store.js';
import type { ResolvedReference } from '../reference.js';
import { alternateKeyForms, type ReferenceValue, readReferenceAt } from '../reference-keys.js';
import { classifyReference, type KeyLookup, type Verdict } from './classify-reference.js';
import type { KnownKeys } from './known-keys.js';
import { type KeyType, wrongKeyType } from './target-key-types.js';

/** One document's outcome. `key` is undefined only for a document without a usable key. */
export interface CheckedDocument {
  readonly key: DocKey | undefined;
  readonly verdict: Verdict;
}

/** A batch checked: an outcome per document, the distinct keys met and the lookups made. */
export interface BatchCheck {
  readonly checked: readonly CheckedDocument[];
  /** The batch's distinct target keys, each once. */
  readonly keys: readonly DocKey[];
  readonly lookups: number;
}

/**
 * Checks a batch of source documents against the target: one `existingKeys` lookup for the
 * batch's distinct keys not already `known` to exist, and a second only when some are missing and
 * have alternate forms (a number written as a string, an ObjectId as hex), to tell a type mismatch
 * from an orphan. Never one call per document, and never a target document read: only its key.
 *
 * With `keyTypes` (the target's, see `targetKeyTypes`) a missing key of none of those types is a
 * type mismatch, not an orphan.
 *
 * A reference that is a plain string at a top-level field (most are) takes a short path, with no
 * {@link ReferenceValue} built for it; every other shape goes through `readReferenceAt`.
 */
export async function checkBatch(
  docs: readonly JsonObject[],
  reference: Pick<ResolvedReference, 'field' | 'required'>,
  sourceSpec: CollectionSpec,
  target: Collection,
  known?: KnownKeys,
  keyTypes?: ReadonlySet<KeyType>,
): Promise<BatchCheck> {
  const [check] = await checkBatches([docs], reference, sourceSpec, target, known, keyTypes);
  return check!;
}

/**
 * {@link checkBatch} over several batches with one lookup for all of them (and one more for
 * alternate forms): the batches' distinct keys not already `known` are looked up together. Used
 * when the target was preloaded, so that a batch rarely holds an unknown key and a lookup per
 * batch would be a round trip for a key or two (on DynamoDB, 62 BatchGetItem calls of one key in a
 * scan of 100k). Each batch's check is the one `checkBatch` would give; the lookups are counted
 * on the first.
 */
export async function checkBatches(
  batches: readonly (readonly JsonObject[])[],
  reference: Pick<ResolvedReference, 'field' | 'required'>,
  sourceSpec: CollectionSpec,
  target: Collection,
  known?: KnownKeys,
  keyTypes?: ReadonlySet<KeyType>,
): Promise<BatchCheck[]> {
  const steps = reference.field.split('.');
  const read = batches.map((docs) => readBatch(docs, steps));
  const unknown = new DistinctKeys();
  for (const { distinct } of read) for (const key of distinct.keys) if (!known?.has(key)) unknown.add(key);
  let lookups = 0;
  const existing = async (keys: readonly DocKey[]): Promise<ReadonlySet<string>> => {
    if (keys.length === 0) return new Set();
    lookups++;
    return target.existingKeys(keys);
  };
  const found = await existing(unknown.keys);
  const missing = new DistinctKeys();
  for (const key of unknown.keys) {
    if (found.has(keyId(key))) known?.add(key);
    else missing.add(key);
  }
  const alternates = alternatesOf(missing.keys);
  const foundAlternates = await existing([...alternates.values()].flat());
  const lookup: KeyLookup = {
    has: (key) => !missing.has(key),
    alternateOf: (key) => alternates.get(keyId(key))?.find((form) => foundAlternates.has(keyId(form))),
    wrongType: (key) => (keyTypes && wrongKeyType(key, keyTypes) ? [...keyTypes].sort() : undefined),
  };
  return batches.map((docs, b) => {
    const { reads, distinct } = read[b]!;
    const checked = docs.map((doc, i): CheckedDocument => {
      return {
        key: docKey(doc, sourceSpec),
        verdict: verdictOf(reads[i]!, reference.required, lookup, missing),
      };
    });
    return { checked, keys: distinct.keys, lookups: b === 0 ? lookups : 0 };
  });
}

/** Each document's reference, read once, and the batch's distinct keys. */
function readBatch(docs: readonly JsonObject[], steps: readonly string[]) {
  const top = steps.length === 1 ? steps[0]! : undefined;
  const distinct = new DistinctKeys();
  const reads: (string | ReferenceValue)[] = new Array(docs.length);
  for (let i = 0; i < docs.length; i++) {
    const raw = top === undefined ? undefined : docs[i]![top];
    if (typeof raw === 'string') {
      distinct.add(raw);
      reads[i] = raw;
      continue;
    }
    const value = readReferenceAt(docs[i]!, steps);
    if (value.kind === 'keys') for (const key of value.keys) distinct.add(key);
    reads[i] = value;
  }
  return { reads, distinct };
}

const ok: Verdict = { outcome: 'ok' };

/** The common case, every key found and nothing unusable, needs no classification. */
function verdictOf(
  read: string | ReferenceValue,
  required: boolean,
  lookup: KeyLookup,
  missing: DistinctKeys,
): Verdict {
  if (typeof read === 'string') {
    return missing.has(read)
      ? classifyReference({ kind: 'keys', keys: [read], invalid: [] }, required, lookup)
      : ok;
  }
  if (read.kind === 'keys' && read.invalid.length === 0 && read.keys.every((key) => !missing.has(key)))
    return ok;
  return classifyReference(read, required, lookup);
}

/**
 * A set of keys in the order first met. String keys are held as they are, other keys by their
 * {@link keyId}, so the usual string key costs no new string per document.
 */
class DistinctKeys {
  readonly keys: DocKey[] = [];
  private readonly strings = new Set<string>();
  private readonly others = new Set<string>();

  add(key: DocKey): void {
    if (typeof key === 'string') {
      if (this.strings.has(key)) return;
      this.strings.add(key);
    } else {
      const id = keyId(key);
      if (this.others.has(id)) return;
      this.others.add(id);
    }
    this.keys.push(key);
  }

  has(key: DocKey): boolean {
    return typeof key === 'string' ? this.strings.has(key) : this.others.has(keyId(key));
  }
}

/** The alternate forms of the missing keys that have any, by the missing key's id. */
function alternatesOf(missing: readonly DocKey[]): Map<string, DocKey[]> {
  const out = new Map<string, DocKey[]>();
  for (const key of missing) {
    const forms = alternateKeyForms(key);
    if (forms.length > 0) out.set(keyId(key), forms);
  }
  return out;
}
