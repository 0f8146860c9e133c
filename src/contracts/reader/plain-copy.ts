/**
 * Small helpers the versioned reader uses on documents as services hold them: plain objects that
 * may also carry driver values (a MongoDB ObjectId, a Date, a Buffer). Only plain objects and
 * arrays are walked or copied; any other object is treated as an opaque value.
 */

/** A document as a service holds it. The reader looks at its version field and key only. */
export type ReadableDoc = Record<string, unknown>;

/** True for an object literal (or a null-prototype object), not a class instance or an array. */
export function isPlainObject(value: unknown): value is ReadableDoc {
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * Copies plain objects and arrays all the way down, so an upcaster may change what it is given
 * without touching the caller's document. Class instances (Date, ObjectId) are shared, not
 * copied: cloning them generically would lose their prototype and turn them into plain objects.
 */
export function copyPlain<T>(value: T): T {
  if (Array.isArray(value)) return value.map(copyPlain) as T;
  if (!isPlainObject(value)) return value;
  // fromEntries defines properties, so a `__proto__` field stays a field instead of a prototype.
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, copyPlain(v)])) as T;
}

/** Reads a dotted path through plain objects; undefined when a step is missing. */
export function readField(doc: ReadableDoc, path: string): unknown {
  let current: unknown = doc;
  for (const step of path.split('.')) {
    if (!isPlainObject(current)) return undefined;
    current = current[step];
  }
  return current;
}

/**
 * A copy of `doc` with the dotted path set, copying only the objects along the path: an upcaster's
 * result may share objects with constants of the service, which must not change.
 */
export function writeField(doc: ReadableDoc, path: string, value: unknown): ReadableDoc {
  const [head, ...rest] = path.split('.') as [string, ...string[]];
  const child = rest.length === 0 ? value : writeField(asPlain(doc[head]), rest.join('.'), value);
  const entries = Object.entries(doc);
  const at = entries.findIndex(([k]) => k === head);
  if (at === -1) entries.push([head, child]);
  else entries[at] = [head, child];
  return Object.fromEntries(entries);
}

function asPlain(value: unknown): ReadableDoc {
  return isPlainObject(value) ? value : {};
}
