import type { JsonObject } from '../../core/json.js';
import { type Collection, type CollectionSpec, type DocKey, docKey, keyId } from '../../stores/store.js';
import type { ResolvedReference } from '../reference.js';
import { alternateKeyForms, type ReferenceValue, readReferenceAt } from '../reference-keys.js';
import { classifyReference, type KeyLookup, type Verdict } from './classify-reference.js';
import { KnownKeys, Met } from './known-keys.js';
import { type KeyType, wrongKeyType } from './target-key-types.js';

/** One document's outcome. `key` is undefined only for a document without a usable key. */
export interface CheckedDocument {
  readonly key: DocKey | undefined;
  readonly verdict: Verdict;
}

/**
 * A batch checked: how many documents resolved, the outcome of every other one, the distinct keys
 * met and the lookups made. The documents found `ok` are counted, not listed: on a scan nearly all
 * are, and an object per document was a fifth of the scan's own work on DynamoDB (issue 17).
 */
export interface BatchCheck {
  /** Documents whose reference resolved to existing targets. */
  readonly ok: number;
  /** Every document not `ok`, one outcome each (null, absent, orphan, type mismatch...). */
  readonly checked: readonly CheckedDocument[];
  /** How many distinct target keys the batch held (summed into `keysChecked`). */
  readonly distinctKeys: number;
  /**
   * The batch's distinct keys that no earlier batch of the same run met, each once; all of them
   * when nothing is remembered across batches. What the distinct-key count needs: adding a key
   * to it a second time changes nothing.
   */
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
 * Reading is {@link readBatch}'s and classifying {@link finishBatches}'; the orphan scan calls those
 * two itself to look up the unknown keys of several batches at once.
 */
export async function checkBatch(
  docs: readonly JsonObject[],
  reference: Pick<ResolvedReference, 'field' | 'required'>,
  sourceSpec: CollectionSpec,
  target: Collection,
  known: KnownKeys = new KnownKeys(),
  keyTypes?: ReadonlySet<KeyType>,
): Promise<BatchCheck> {
  const read = readBatch(docs, reference.field.split('.'), known);
  const [check] = await finishBatches([read], reference, sourceSpec, target, known, keyTypes);
  return check!;
}

/**
 * A batch read against what is known, before its lookup: the documents already `ok`, counted,
 * and the ones whose reference holds an unknown key or is not a plain key (`pending`, with what
 * was read of each), to classify once the lookup is made. Holds no other document.
 */
export interface ReadBatch {
  readonly ok: number;
  readonly pending: readonly JsonObject[];
  readonly pendingReads: readonly (string | ReferenceValue)[];
  /** The batch's keys not known to exist, each once. */
  readonly unknown: DistinctKeys;
  /** Known keys the batch met (each once), and those of them new to the run. */
  readonly knownDistinct: number;
  readonly newKeys: readonly DocKey[];
}

/**
 * Reads each document's reference once, against `known`: one hash lookup per plain string key,
 * no object per document. A reference that is a plain string at a top-level field (most are) takes
 * a short path, with no {@link ReferenceValue} built for it; every other shape goes through
 * `readReferenceAt`.
 */
export function readBatch(
  docs: readonly JsonObject[],
  steps: readonly string[],
  known: KnownKeys,
): ReadBatch {
  known.startBatch();
  const top = steps.length === 1 ? steps[0]! : undefined;
  const unknown = new DistinctKeys();
  const pending: JsonObject[] = [];
  const pendingReads: (string | ReferenceValue)[] = [];
  const newKeys: DocKey[] = [];
  let ok = 0;
  let knownDistinct = 0;
  // Notes a key met; says whether it is known to exist.
  const meet = (key: DocKey): boolean => {
    const met = known.meet(key);
    if (met === Met.Unknown) {
      unknown.add(key);
      return false;
    }
    if (met !== Met.Again) knownDistinct++;
    if (met === Met.InRun) newKeys.push(key);
    return true;
  };
  for (let i = 0; i < docs.length; i++) {
    const doc = docs[i]!;
    const raw = top === undefined ? undefined : doc[top];
    if (typeof raw === 'string') {
      if (meet(raw)) ok++;
      else {
        pending.push(doc);
        pendingReads.push(raw);
      }
      continue;
    }
    const value = readReferenceAt(doc, steps);
    let resolved = value.kind === 'keys' && value.invalid.length === 0;
    if (value.kind === 'keys') for (const key of value.keys) if (!meet(key)) resolved = false;
    if (resolved) ok++;
    else {
      pending.push(doc);
      pendingReads.push(value);
    }
  }
  return { ok, pending, pendingReads, unknown, knownDistinct, newKeys };
}

/**
 * Classifies the pending documents of batches read by {@link readBatch}, after one lookup of
 * their unknown keys together (and one more for alternate forms, when some are missing and have
 * any). Keys found are remembered in `known`. Lookups are counted on the first batch. Several
 * batches at once when the target was preloaded: a batch then rarely holds an unknown key, and a
 * lookup per batch would be a round trip for a key or two (on DynamoDB, 62 BatchGetItem calls of
 * one key in a scan of 100k). Each batch's check is the one `checkBatch` would give.
 */
export async function finishBatches(
  read: readonly ReadBatch[],
  reference: Pick<ResolvedReference, 'required'>,
  sourceSpec: CollectionSpec,
  target: Collection,
  known: KnownKeys,
  keyTypes?: ReadonlySet<KeyType>,
): Promise<BatchCheck[]> {
  const unknown = new DistinctKeys();
  for (const batch of read) for (const key of batch.unknown.keys) unknown.add(key);
  let lookups = 0;
  const existing = async (keys: readonly DocKey[]): Promise<ReadonlySet<string>> => {
    if (keys.length === 0) return new Set();
    lookups++;
    return target.existingKeys(keys);
  };
  const found = await existing(unknown.keys);
  const missing = new DistinctKeys();
  for (const key of unknown.keys) {
    if (found.has(keyId(key))) known.add(key, true);
    else missing.add(key);
  }
  const alternates = alternatesOf(missing.keys);
  const foundAlternates = await existing([...alternates.values()].flat());
  const lookup: KeyLookup = {
    has: (key) => !missing.has(key),
    alternateOf: (key) => alternates.get(keyId(key))?.find((form) => foundAlternates.has(keyId(form))),
    wrongType: (key) => (keyTypes && wrongKeyType(key, keyTypes) ? [...keyTypes].sort() : undefined),
  };
  return read.map((batch, b): BatchCheck => {
    let ok = batch.ok;
    const checked: CheckedDocument[] = [];
    for (let i = 0; i < batch.pending.length; i++) {
      const verdict = verdictOf(batch.pendingReads[i]!, reference.required, lookup, missing);
      if (verdict.outcome === 'ok') ok++;
      else checked.push({ key: docKey(batch.pending[i]!, sourceSpec), verdict });
    }
    // A batch's unknown keys are new to the run as far as the count goes: counting one again
    // changes nothing, and a key looked up is rarely met twice.
    const keys = batch.newKeys.length === 0 ? batch.unknown.keys : [...batch.newKeys, ...batch.unknown.keys];
    const distinctKeys = batch.knownDistinct + batch.unknown.keys.length;
    return { ok, checked, distinctKeys, keys, lookups: b === 0 ? lookups : 0 };
  });
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
export class DistinctKeys {
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
