import { type JsonObject, type JsonValue, setField } from '../core/json.js';

/**
 * Fast helpers over documents as stores give them (plain JSON: objects, arrays, strings, numbers,
 * booleans, null), for the per-document work of apply and rollback, where `structuredClone`,
 * `isDeepStrictEqual` and `canonicalJson` showed in profiles for their generality.
 */

/** A deep copy of a JSON document (what `structuredClone` gives for one), `__proto__` fields kept as fields. */
export function cloneJson<T extends JsonValue>(value: T): T {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((item) => cloneJson(item)) as T;
  const out: JsonObject = {};
  for (const key of Object.keys(value))
    setField(out, key, cloneJson((value as JsonObject)[key] as JsonValue));
  return out as T;
}

/**
 * Whether two JSON values are equal as `isDeepStrictEqual` says for them: same fields whatever
 * their order, arrays in order, numbers by `Object.is` (so 0 and -0 differ, as they do there).
 */
export function sameJson(a: JsonValue | undefined, b: JsonValue | undefined): boolean {
  if (a === b) return a !== 0 || Object.is(a, b);
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) {
    return typeof a === 'number' && typeof b === 'number' && Number.isNaN(a) && Number.isNaN(b);
  }
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameJson(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  for (const key of keys) if (!Object.hasOwn(b, key) || !sameJson(a[key], b[key])) return false;
  return true;
}

/**
 * `canonicalJson` (sorted fields, no whitespace, undefined fields left out) written as one loop
 * with string appends instead of arrays of parts: the same text, about three times as fast, for
 * the checksums that hash every document. Field names repeat from document to document, so their
 * quoted form is remembered (up to {@link maxQuotedNames} of them), and fields already in order
 * are not sorted again, nor are fields in an order sorted just before (see {@link sortedNames}).
 */
export function canonicalText(value: unknown): string {
  if (value === undefined) return 'null';
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) out += (i === 0 ? '' : ',') + canonicalText(value[i]);
    return `${out}]`;
  }
  const record = value as Record<string, unknown>;
  const keys = sortedNames(Object.keys(record));
  let out = '{';
  let first = true;
  for (const key of keys) {
    const item = record[key];
    if (item === undefined) continue;
    out += `${first ? '' : ','}${quotedName(key)}:${canonicalText(item)}`;
    first = false;
  }
  return `${out}}`;
}

const maxQuotedNames = 10_000;
const quotedNames = new Map<string, string>();

function quotedName(name: string): string {
  let quoted = quotedNames.get(name);
  if (quoted === undefined) {
    quoted = JSON.stringify(name);
    if (quotedNames.size < maxQuotedNames) quotedNames.set(name, quoted);
  }
  return quoted;
}

/**
 * The last unsorted field list of each length, and its sorted copy: documents of a collection
 * mostly share their fields in the same order, and comparing a list with the one remembered (a
 * string comparison a name) costs less than sorting it again (canonical text of a task document
 * 0.9 µs against 1.3, issue 17 fourth pass). Indexed by length, so a nested object of another
 * length does not evict its parent's order.
 */
const lastOrders: { names: readonly string[]; sorted: readonly string[] }[] = [];
const maxRememberedLength = 64;

/** `names` in sorted order (as `Array.prototype.sort` sorts strings): itself when already sorted. */
function sortedNames(names: string[]): readonly string[] {
  let inOrder = true;
  for (let i = 1; i < names.length; i++) {
    if (names[i - 1]! > names[i]!) {
      inOrder = false;
      break;
    }
  }
  if (inOrder) return names;
  const last = names.length < maxRememberedLength ? lastOrders[names.length] : undefined;
  if (last && sameNames(last.names, names)) return last.sorted;
  const sorted = [...names].sort();
  if (names.length < maxRememberedLength) lastOrders[names.length] = { names, sorted };
  return sorted;
}

function sameNames(a: readonly string[], b: readonly string[]): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
