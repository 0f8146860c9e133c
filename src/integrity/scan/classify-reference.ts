import type { JsonValue } from '../../core/json.js';
import type { DocKey } from '../../stores/store.js';
import type { ReferenceValue } from '../reference-keys.js';
import type { KeyType } from './target-key-types.js';

/**
 * What a scan learnt about a batch's target keys: which exist as written, and for the others
 * which alternate form (see `alternateKeyForms`) exists, if any.
 */
export interface KeyLookup {
  has(key: DocKey): boolean;
  /** The form of a missing key that exists in the target, or undefined. */
  alternateOf(key: DocKey): DocKey | undefined;
  /**
   * The key types the target holds, when a missing key is of none of them (so it cannot be a
   * target's key at all); undefined when its type fits or the target's types are not known.
   */
  wrongType?(key: DocKey): readonly KeyType[] | undefined;
}

/** A value that cannot point at a target document as it is: not a key, or a key of the wrong type. */
export interface Mismatch {
  readonly value: JsonValue;
  readonly reason: 'not-a-key' | 'key-type';
  /** For `key-type`: the form in which the target does have the key. */
  readonly matches?: DocKey;
  /** For `key-type`: the key types the target holds, when the value is of none of them. */
  readonly expected?: readonly KeyType[];
}

/**
 * The outcome for one document and one reference. Each document has exactly one, so the counts
 * of a report add up to the documents scanned. An orphan wins over a type mismatch when a
 * document has both: a key that exists in no form is the worse problem, and the detail keeps both.
 */
export type Verdict =
  | { readonly outcome: 'ok' }
  | { readonly outcome: 'null' | 'absent' }
  | { readonly outcome: 'missing-required'; readonly found: 'null' | 'absent' }
  | {
      readonly outcome: 'orphan';
      readonly missing: readonly DocKey[];
      readonly mismatched: readonly Mismatch[];
    }
  | { readonly outcome: 'type-mismatch'; readonly mismatched: readonly Mismatch[] };

/** Classifies one document's reference from what it holds and what the lookups found. Pure. */
export function classifyReference(value: ReferenceValue, required: boolean, lookup: KeyLookup): Verdict {
  if (value.kind !== 'keys') {
    return required ? { outcome: 'missing-required', found: value.kind } : { outcome: value.kind };
  }
  const missing: DocKey[] = [];
  const mismatched: Mismatch[] = value.invalid.map((v) => ({ value: v, reason: 'not-a-key' }));
  for (const key of value.keys) {
    if (lookup.has(key)) continue;
    const matches = lookup.alternateOf(key);
    // A value of a type the target's keys never have is a type mismatch, found in another form
    // or not: it was never a key of the target, so no repair policy may treat it as one.
    const expected = lookup.wrongType?.(key);
    if (expected !== undefined)
      mismatched.push({
        value: key,
        reason: 'key-type',
        ...(matches === undefined ? {} : { matches }),
        expected,
      });
    else if (matches === undefined) missing.push(key);
    else mismatched.push({ value: key, reason: 'key-type', matches });
  }
  if (missing.length > 0) return { outcome: 'orphan', missing, mismatched };
  if (mismatched.length > 0) return { outcome: 'type-mismatch', mismatched };
  return { outcome: 'ok' };
}
