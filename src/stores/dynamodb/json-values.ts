import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { convertToAttr } from '@aws-sdk/util-dynamodb';
import { type JsonObject, type JsonValue, setField } from '../../core/json.js';
import { StewardError } from '../../errors/steward-error.js';

/** A DynamoDB item, or a primary key, in the SDK's wire form. */
export type Item = Record<string, AttributeValue>;

/**
 * Documents to items: undefined values are dropped (they are not JSON), empty strings, lists
 * and maps are kept as they are, and numbers are written as their JavaScript decimal form. A
 * number beyond 2^53 already lost precision when the document was parsed as JSON, so storing it
 * loses nothing more (`allowImpreciseNumbers`). Maps are built here rather than by the SDK's
 * `marshall`, which assigns field by field: a document's own `__proto__` field would become the
 * prototype of the attribute map and vanish from the item.
 */
export function marshallDoc(doc: JsonObject): Item {
  const item: Item = {};
  for (const field of Object.keys(doc)) {
    const value = doc[field];
    if (value !== undefined) defineOwn(item, field, toAttribute(value));
  }
  return item;
}

/** One JSON value in the wire form, for expression values. */
export function marshallValue(value: JsonValue): AttributeValue {
  return toAttribute(value);
}

const sdkOptions = { removeUndefinedValues: true, convertEmptyValues: false, allowImpreciseNumbers: true };

function toAttribute(value: JsonValue): AttributeValue {
  if (value === null) return { NULL: true };
  if (typeof value === 'string') return { S: value };
  if (typeof value === 'boolean') return { BOOL: value };
  if (Array.isArray(value)) return { L: value.filter((v) => v !== undefined).map((v) => toAttribute(v)) };
  if (typeof value === 'object' && isPlainMap(value)) return { M: marshallDoc(value) };
  // A finite number as the SDK writes it (`toString`), without its checks and allocations per
  // value (issue 17: numbers are a large share of a document's values).
  if (typeof value === 'number' && Number.isFinite(value)) return { N: value.toString() };
  // NaN and Infinity (the SDK refuses them) and what JSON lacks (sets, binary) go to the SDK.
  return convertToAttr(value, sdkOptions);
}

function isPlainMap(value: object): value is JsonObject {
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * Items to documents. Numbers become JavaScript numbers: DynamoDB keeps 38 significant digits,
 * JSON in JavaScript about 15 to 17, so integers beyond 2^53 written by other programs come
 * back rounded (never as BigInt, which is not JSON). Types JSON lacks, found in items other
 * programs wrote, are converted: sets become sorted arrays, binary becomes a base64 string.
 * Maps are copied with their `__proto__` field kept as a field (see {@link marshallDoc}).
 */
export function unmarshallItem(item: Item): JsonObject {
  const doc: JsonObject = {};
  for (const field of Object.keys(item)) setField(doc, field, fromAttribute(item[field]!));
  return doc;
}

/** One attribute value as JSON, converted as {@link unmarshallItem} converts it. */
export function unmarshallValue(value: AttributeValue): JsonValue {
  return fromAttribute(value);
}

function fromAttribute(value: AttributeValue): JsonValue {
  if (value.S !== undefined) return value.S;
  if (value.N !== undefined) return Number(value.N);
  if (value.BOOL !== undefined) return value.BOOL;
  if (value.NULL !== undefined) return null;
  if (value.M !== undefined) return unmarshallItem(value.M);
  if (value.L !== undefined) return value.L.map(fromAttribute);
  if (value.B !== undefined) return base64(value.B);
  if (value.SS !== undefined) return [...value.SS].sort();
  if (value.NS !== undefined) return value.NS.map(Number).sort((a, b) => a - b);
  if (value.BS !== undefined) return value.BS.map(base64).sort();
  throw new StewardError(
    'store.failed',
    `DynamoDB returned an attribute of an unknown type: ${JSON.stringify(value)}`,
  );
}

function base64(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64');
}

/** `item[field] = value`, but a `__proto__` attribute stays an attribute. */
function defineOwn(item: Item, field: string, value: AttributeValue): void {
  if (field === '__proto__')
    Object.defineProperty(item, field, { value, writable: true, enumerable: true, configurable: true });
  else item[field] = value;
}
