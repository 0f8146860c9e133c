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
    if (!isJsonObject(current)) return undefined;
    current = current[step];
  }
  return current;
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
  if (rest.length === 0) return { ...doc, [head]: value };
  const child = doc[head];
  return { ...doc, [head]: setPath(isJsonObject(child) ? child : {}, rest.join('.'), value) };
}

/** Returns a copy of `doc` without the dotted path; unchanged when the path is absent. */
export function unsetPath(doc: JsonObject, path: string): JsonObject {
  const [head, ...rest] = path.split('.') as [string, ...string[]];
  if (!(head in doc)) return doc;
  if (rest.length === 0) {
    const { [head]: _removed, ...kept } = doc;
    return kept;
  }
  const child = doc[head];
  if (!isJsonObject(child)) return doc;
  return { ...doc, [head]: unsetPath(child, rest.join('.')) };
}
