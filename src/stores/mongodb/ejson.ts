import { BSON, type Document } from 'mongodb';
import type { JsonObject, JsonValue } from '../../core/json.js';
import { type DocKey, isDocKey, keyId } from '../store.js';

/**
 * Conversion between MongoDB's BSON values and the plain JSON that crosses the store seam, using
 * Extended JSON in relaxed mode: ObjectId becomes `{"$oid": ...}`, Date `{"$date": ...}`, numbers
 * stay numbers. Relaxed mode does not keep the width of a number, so an Int64 read and written
 * back is stored as a 32-bit int or a double; values beyond 2^53 lose precision.
 */
export function toJsonDoc(doc: Document): JsonObject {
  return BSON.EJSON.serialize(doc, { relaxed: true }) as JsonObject;
}

/** Turns a JSON document from the seam into BSON values the driver writes. */
export function toBsonDoc(doc: JsonObject): Document {
  return BSON.EJSON.deserialize(doc, { relaxed: true }) as Document;
}

/** Turns one JSON value (a key, a patch value) into its BSON value. */
export function toBsonValue(value: JsonValue): unknown {
  return (BSON.EJSON.deserialize({ v: value }, { relaxed: true }) as { v: unknown }).v;
}

/** Turns a BSON key into a {@link DocKey}, or undefined when it is of another type (a Date, an object). */
export function toDocKey(value: unknown): DocKey | undefined {
  const json = (BSON.EJSON.serialize({ v: value }, { relaxed: true }) as { v: unknown }).v;
  return isDocKey(json) ? json : undefined;
}

/**
 * {@link keyId} of a stored key, for deterministic samples; keys of other types (a Date, an
 * object) get their canonical Extended JSON, so they are sampled deterministically too.
 */
export function storedKeyId(value: unknown): string {
  const key = toDocKey(value);
  return key === undefined ? `x:${BSON.EJSON.stringify({ v: value }, { relaxed: false })}` : keyId(key);
}
