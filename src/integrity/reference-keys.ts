import { isJsonObject, type JsonObject, type JsonValue } from '../core/json.js';
import { type DocKey, isDocKey } from '../stores/store.js';

/**
 * What a document holds at a reference's field, before any lookup. `absent`: the field is not
 * there. `null`: it holds null or an empty array, so it points at nothing. `keys`: the usable keys
 * it holds and the values that cannot be keys at all (an object, a boolean, a null inside an array).
 */
export type ReferenceValue =
  | { readonly kind: 'absent' }
  | { readonly kind: 'null' }
  | { readonly kind: 'keys'; readonly keys: readonly DocKey[]; readonly invalid: readonly JsonValue[] };

const absent: ReferenceValue = { kind: 'absent' };
const nothing: ReferenceValue = { kind: 'null' };

/**
 * Reads the reference at a dotted `field` of a document. An array at the end of the path holds one
 * reference per element (`cases.subjectIds`); an array part-way (`lines.productId` over an array
 * of lines) is walked element by element, so every line's reference is read.
 */
export function readReference(doc: JsonObject, field: string): ReferenceValue {
  return readReferenceAt(doc, field.split('.'));
}

/** {@link readReference} with the field already split into its steps, for loops over many documents. */
export function readReferenceAt(doc: JsonObject, steps: readonly string[]): ReferenceValue {
  const leaves = leavesAt(doc, steps);
  if (leaves.length === 0) return absent;
  const keys: DocKey[] = [];
  const invalid: JsonValue[] = [];
  for (const leaf of leaves) {
    const elements = Array.isArray(leaf) ? leaf : leaf === null ? [] : [leaf];
    for (const element of elements) {
      if (isDocKey(element)) keys.push(element);
      else invalid.push(element);
    }
  }
  return keys.length === 0 && invalid.length === 0 ? nothing : { kind: 'keys', keys, invalid };
}

/** The values present at the end of a path, walking arrays met on the way. */
function leavesAt(value: JsonValue, steps: readonly string[]): JsonValue[] {
  const [step, ...rest] = steps;
  if (step === undefined) return [value];
  if (Array.isArray(value)) return value.flatMap((element) => leavesAt(element, steps));
  if (!isJsonObject(value)) return [];
  const next = value[step];
  return next === undefined ? [] : leavesAt(next, rest);
}

const objectIdHex = /^[0-9a-fA-F]{24}$/;
const decimal = /^-?(0|[1-9]\d*)(\.\d+)?$/;

/**
 * The forms a key may have been meant in, when it is not found as written: a 24-hex string for an
 * ObjectId, a number written as a string, and back. A reference found in one of these forms is a
 * type mismatch (the writer used the wrong type), not an orphan. Pure: the scan looks them up.
 */
export function alternateKeyForms(key: DocKey): DocKey[] {
  if (typeof key === 'number') return [String(key)];
  if (typeof key === 'object') return [key.$oid];
  const forms: DocKey[] = [];
  if (objectIdHex.test(key)) forms.push({ $oid: key.toLowerCase() });
  if (decimal.test(key) && Number.isFinite(Number(key)) && String(Number(key)) === key)
    forms.push(Number(key));
  return forms;
}
