import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import type { JsonObject, JsonValue } from '../../core/json.js';

/** A DynamoDB item, or a primary key, in the SDK's wire form. */
export type Item = Record<string, AttributeValue>;

/**
 * Documents to items: undefined values are dropped (they are not JSON), empty strings, lists
 * and maps are kept as they are, and numbers are written as their JavaScript decimal form. A
 * number beyond 2^53 already lost precision when the document was parsed as JSON, so storing it
 * loses nothing more (`allowImpreciseNumbers`).
 */
export function marshallDoc(doc: JsonObject): Item {
  return marshall(doc, {
    removeUndefinedValues: true,
    convertEmptyValues: false,
    allowImpreciseNumbers: true,
  });
}

/** One JSON value in the wire form, for expression values. */
export function marshallValue(value: JsonValue): AttributeValue {
  return marshallDoc({ v: value }).v as AttributeValue;
}

/**
 * Items to documents. Numbers become JavaScript numbers: DynamoDB keeps 38 significant digits,
 * JSON in JavaScript about 15 to 17, so integers beyond 2^53 written by other programs come
 * back rounded (never as BigInt, which is not JSON). Types JSON lacks, found in items other
 * programs wrote, are converted: sets become sorted arrays, binary becomes a base64 string.
 */
export function unmarshallItem(item: Item): JsonObject {
  return toJson(unmarshall(item, { wrapNumbers: (text: string) => Number(text) })) as JsonObject;
}

function toJson(value: unknown): JsonValue {
  if (
    value === null ||
    typeof value === 'string' ||
    typeof value === 'boolean' ||
    typeof value === 'number'
  ) {
    return value;
  }
  if (value instanceof Set) return sortedArray([...value].map(toJson));
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  if (Array.isArray(value)) return value.map(toJson);
  if (typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toJson(v)]));
  }
  return String(value);
}

function sortedArray(values: JsonValue[]): JsonValue[] {
  return values.every((v) => typeof v === 'number')
    ? values.sort((a, b) => (a as number) - (b as number))
    : values.sort();
}
