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
 * steward's patch must be portable: callers validate paths before patching.
 */
export function setPath(doc: JsonObject, path: string, value: JsonValue): JsonObject {
  const [head, ...rest] = path.split('.') as [string, ...string[]];
  // Spread and computed keys define own fields, so a `__proto__` step stays a field.
  if (rest.length === 0) return { ...doc, [head]: value };
  const child = ownField(doc, head);
  return { ...doc, [head]: setPath(isJsonObject(child) ? child : {}, rest.join('.'), value) };
}

/** Returns a copy of `doc` without the dotted path; unchanged when the path is absent. */
export function unsetPath(doc: JsonObject, path: string): JsonObject {
  const [head, ...rest] = path.split('.') as [string, ...string[]];
  if (!Object.hasOwn(doc, head)) return doc;
  if (rest.length === 0) {
    const { [head]: _removed, ...kept } = doc;
    return kept;
  }
  const child = doc[head];
  if (!isJsonObject(child)) return doc;
  return { ...doc, [head]: unsetPath(child, rest.join('.')) };
}
