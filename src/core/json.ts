/** A JSON value: what documents are made of when they cross the store seam. */
export type JsonValue = null | boolean | number | string | JsonValue[] | JsonObject;
/** A JSON object. */
export type JsonObject = { [field: string]: JsonValue };
/** A scalar that filters and conditional writes compare. */
export type Scalar = string | number | boolean | null;

/** True for a plain JSON object (not an array, not null). */
export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** True for a value filters may compare. */
export function isScalar(value: unknown): value is Scalar {
  return value === null || ['string', 'number', 'boolean'].includes(typeof value);
}

/**
 * Reads a dotted path (`address.city`) from a document. Returns `undefined` when any step is
 * missing or is not an object; arrays are not traversed, because the portable filter language
 * compares scalar fields only.
 */
export function getPath(doc: JsonObject, path: string): JsonValue | undefined {
  let current: JsonValue | undefined = doc;
  for (const step of path.split('.')) {
    current = ownField(current, step);
    if (current === undefined) return undefined;
  }
  return current;
}

/**
 * Reads a dotted path as a write reads it: like {@link getPath}, except that a whole-number step
 * into an array is a position (`lines.3.total` is element 3's `total`), as in MongoDB's dot
 * notation. Patches and their expectations use it, so a derived value inside an array element can
 * be written and checked in place on every store; filters keep {@link getPath}, whose pushed-down
 * forms do not traverse arrays.
 */
export function readPath(doc: JsonObject, path: string): JsonValue | undefined {
  let current: JsonValue | undefined = doc;
  for (const step of path.split('.')) {
    current = Array.isArray(current) ? current[arrayIndex(step) ?? -1] : ownField(current, step);
    if (current === undefined) return undefined;
  }
  return current;
}

/** The position a path step names in an array (a whole number written canonically), or undefined. */
export function arrayIndex(step: string): number | undefined {
  return /^(0|[1-9][0-9]{0,8})$/.test(step) ? Number(step) : undefined;
}

/**
 * A document's own field, or undefined: never an inherited property (`constructor`, `toString`),
 * and a stored `__proto__` field is read as the field it is. Undefined when `value` is no object.
 */
export function ownField(value: JsonValue | undefined, field: string): JsonValue | undefined {
  return isJsonObject(value) && Object.hasOwn(value, field) ? value[field] : undefined;
}

/**
 * Sets an own field of a JSON object. Assigning `__proto__` would set the object's prototype
 * instead (the field lost, its contents inherited), so that one name is defined as a property;
 * every copy of a document field by field goes through here.
 */
export function setField(target: JsonObject, field: string, value: JsonValue): void {
  if (field === '__proto__')
    Object.defineProperty(target, field, { value, writable: true, enumerable: true, configurable: true });
  else target[field] = value;
}

/**
 * Canonical JSON: object keys sorted, no whitespace. Two documents with the same content give the
 * same string whatever order their fields were written in, so hashes over it are stable.
 */
export function canonicalJson(value: unknown): string {
  if (value === undefined) return 'null';
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.keys(value as object)
    .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`);
  return `{${entries.join(',')}}`;
}

/**
 * Returns a copy of `doc` with the dotted path set to `value`, creating intermediate objects. An
 * intermediate that exists but is not an object is replaced, as MongoDB's `$set` refuses to and
 * steward's patch must be portable: callers validate paths before patching. A whole-number step
 * into an existing array sets that position, as MongoDB's `$set` does (`lines.3.total`), padding
 * with nulls past the end.
 */
export function setPath(doc: JsonObject, path: string, value: JsonValue): JsonObject {
  const [head, ...rest] = path.split('.') as [string, ...string[]];
  // Spread and computed keys define own fields, so a `__proto__` step stays a field.
  if (rest.length === 0) return { ...doc, [head]: value };
  return { ...doc, [head]: setIn(ownField(doc, head), rest, value) };
}

function setIn(child: JsonValue | undefined, steps: string[], value: JsonValue): JsonValue {
  const index = Array.isArray(child) ? arrayIndex(steps[0]!) : undefined;
  if (!Array.isArray(child) || index === undefined)
    return setPath(isJsonObject(child) ? child : {}, steps.join('.'), value);
  const copy = [...child];
  while (copy.length < index) copy.push(null);
  copy[index] = steps.length === 1 ? value : setIn(copy[index], steps.slice(1), value);
  return copy;
}

/**
 * Returns a copy of `doc` without the dotted path; unchanged when the path is absent. A
 * whole-number step into an array unsets inside that element; unsetting the element itself leaves
 * null in its place, as MongoDB's `$unset` does, so positions do not shift.
 */
export function unsetPath(doc: JsonObject, path: string): JsonObject {
  const [head, ...rest] = path.split('.') as [string, ...string[]];
  if (!Object.hasOwn(doc, head)) return doc;
  if (rest.length === 0) {
    const { [head]: _removed, ...kept } = doc;
    return kept;
  }
  const child = unsetIn(doc[head]!, rest);
  return child === doc[head] ? doc : { ...doc, [head]: child };
}

function unsetIn(child: JsonValue, steps: string[]): JsonValue {
  if (isJsonObject(child)) return unsetPath(child, steps.join('.'));
  const index = Array.isArray(child) ? arrayIndex(steps[0]!) : undefined;
  if (!Array.isArray(child) || index === undefined || index >= child.length) return child;
  const copy = [...child];
  copy[index] = steps.length === 1 ? null : unsetIn(copy[index]!, steps.slice(1));
  return copy;
}

/** The object a JSON text holds, or undefined when it is not JSON or holds something else. */
export function parsedJsonObject(text: string): JsonObject | undefined {
  const value = parsedJson(text);
  return isJsonObject(value) ? value : undefined;
}

/** The value a JSON text holds, or undefined when it is not JSON. */
export function parsedJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
