import { StewardError } from '../errors/steward-error.js';
import { isJsonObject, type JsonValue, ownField } from './json.js';

/**
 * A typed value written as MongoDB Extended JSON, in the one form documents hold it when they
 * cross the store seam (relaxed Extended JSON, see `stores/mongodb/ejson.ts`):
 *
 *   { "$oid": "65f0c0ffee0000000000abcd" }              ObjectId (hex in lower case)
 *   { "$date": "2026-01-01T00:00:00Z" }                  Date (ISO 8601; milliseconds when not 0)
 *   { "$numberDecimal": "1.50" }                         Decimal128 (its text)
 *   { "$binary": { "base64": "...", "subType": "04" } }  UUID (`$uuid` is accepted and turned into this)
 *   { "$numberLong": "9007199254740993" }                Int64 past 2^53 (smaller ones are plain numbers)
 *
 * A value is one object whose field names start with `$`; comparing it means comparing those
 * fields (see {@link typedLeaves}), which is how SQLite and DynamoDB, which hold the object as it
 * is, compare it, while MongoDB compares the BSON value it stands for.
 */
export type TypedValue =
  | { readonly $oid: string }
  | { readonly $date: string | { readonly $numberLong: string } }
  | { readonly $numberDecimal: string }
  | { readonly $numberLong: string }
  | { readonly $binary: { readonly base64: string; readonly subType: string } };

/** The Extended JSON type markers steward accepts as typed values. */
export const typedMarkers = ['$oid', '$date', '$numberLong', '$numberDecimal', '$binary', '$uuid'] as const;

const hex24 = /^[0-9a-fA-F]{24}$/;
const uuidText = /^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$/;
const integerText = /^-?(0|[1-9]\d*)$/;
const decimalText = /^-?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$|^-?(Infinity|NaN)$/;
/** The dates relaxed Extended JSON writes as ISO text (years 1970 to 9999); others as milliseconds. */
const maxIsoMillis = 253402300799999;

/** True for an object that names a typed value (one field, an Extended JSON marker). */
export function looksTyped(value: unknown): boolean {
  if (!isJsonObject(value)) return false;
  const fields = Object.keys(value);
  return fields.length === 1 && (typedMarkers as readonly string[]).includes(fields[0]!);
}

/** True for a value {@link parseTypedValue} returned (or a stored value of the same shape). */
export function isTypedValue(value: unknown): value is TypedValue {
  if (!isJsonObject(value)) return false;
  const fields = Object.keys(value);
  return (
    fields.length === 1 && (typedMarkers as readonly string[]).includes(fields[0]!) && fields[0] !== '$uuid'
  );
}

/**
 * Reads an Extended JSON literal into its one normalised form, or throws `filter.invalid` naming
 * `where` when it is malformed. `$numberLong` within 2^53 becomes a plain number, as it is in
 * documents; `$uuid` and `$binary` subtype 04 become the same `$binary` value. Pure.
 */
export function parseTypedValue(value: unknown, where: string): TypedValue | number {
  const [marker, arg] = Object.entries(value as Record<string, unknown>)[0]!;
  switch (marker) {
    case '$oid':
      if (typeof arg !== 'string' || !hex24.test(arg))
        throw invalid(where, '$oid must be 24 hexadecimal digits');
      return { $oid: arg.toLowerCase() };
    case '$date':
      return { $date: dateText(dateMillis(arg, where)) };
    case '$numberLong': {
      if (typeof arg !== 'string' || !integerText.test(arg))
        throw invalid(where, '$numberLong must be an integer written as a string, such as "42"');
      const n = Number(arg);
      return Number.isSafeInteger(n) ? n : { $numberLong: arg };
    }
    case '$numberDecimal':
      if (typeof arg !== 'string' || !decimalText.test(arg))
        throw invalid(where, '$numberDecimal must be a decimal number written as a string, such as "1.50"');
      return { $numberDecimal: arg };
    case '$uuid':
      if (typeof arg !== 'string' || !uuidText.test(arg))
        throw invalid(where, '$uuid must be a UUID such as "0e9d1f6a-4f6c-4b4a-9b1a-2c3d4e5f6a7b"');
      return uuidBinary(arg);
    case '$binary':
      return binaryValue(arg, where);
  }
  throw invalid(where, `${marker} is not an Extended JSON type steward knows`);
}

/**
 * The milliseconds since 1970 of a `$date` argument: ISO 8601 text, `{ "$numberLong": "ms" }` or
 * a number of milliseconds. Throws `filter.invalid` naming `where` otherwise.
 */
export function dateMillis(arg: unknown, where: string): number {
  let ms = Number.NaN;
  if (typeof arg === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(arg)) ms = Date.parse(arg);
  else if (typeof arg === 'number' && Number.isInteger(arg)) ms = arg;
  else if (isJsonObject(arg) && typeof ownField(arg, '$numberLong') === 'string')
    ms = Number(arg.$numberLong);
  if (!Number.isSafeInteger(ms))
    throw invalid(
      where,
      '$date must be an ISO 8601 date-time such as "2026-01-01T00:00:00Z", or milliseconds',
    );
  return ms;
}

/** The milliseconds of a stored `$date` value, or undefined when it is not one. */
export function storedDateMillis(value: JsonValue | undefined): number | undefined {
  if (!isJsonObject(value) || Object.keys(value).length !== 1 || !('$date' in value)) return undefined;
  try {
    return dateMillis(value.$date, 'stored date');
  } catch {
    return undefined;
  }
}

/**
 * A date as relaxed Extended JSON writes it, so a literal equals what documents hold: ISO text
 * without milliseconds when they are 0 (`2026-01-01T00:00:00Z`), milliseconds otherwise.
 */
function dateText(ms: number): string | { $numberLong: string } {
  if (ms < 0 || ms > maxIsoMillis) return { $numberLong: String(ms) };
  const iso = new Date(ms).toISOString();
  return ms % 1000 === 0 ? `${iso.slice(0, -5)}Z` : iso;
}

function uuidBinary(text: string): TypedValue {
  return {
    $binary: { base64: Buffer.from(text.replaceAll('-', ''), 'hex').toString('base64'), subType: '04' },
  };
}

function binaryValue(arg: unknown, where: string): TypedValue {
  const base64 = isJsonObject(arg) ? ownField(arg, 'base64') : undefined;
  const subType = isJsonObject(arg) ? ownField(arg, 'subType') : undefined;
  if (typeof base64 !== 'string' || typeof subType !== 'string')
    throw invalid(where, '$binary must be { "base64": "...", "subType": "04" }');
  if (subType.toLowerCase() !== '04' && subType !== '4')
    throw invalid(
      where,
      `$binary subtype "${subType}" is not a UUID (subtype "04"); only UUIDs can be compared`,
    );
  const bytes = Buffer.from(base64, 'base64');
  if (bytes.length !== 16) throw invalid(where, '$binary with subtype "04" must hold the 16 bytes of a UUID');
  return { $binary: { base64: bytes.toString('base64'), subType: '04' } };
}

/**
 * The scalar fields of a typed value, by dotted sub-path (`$binary.base64`): a stored value
 * equals the literal when it is an object holding the same ones. Pure.
 */
export function typedLeaves(value: TypedValue): [string, string][] {
  const out: [string, string][] = [];
  const walk = (v: unknown, path: string) => {
    if (isJsonObject(v)) for (const [k, inner] of Object.entries(v)) walk(inner, path ? `${path}.${k}` : k);
    else out.push([path, String(v)]);
  };
  walk(value, '');
  return out;
}

/** True when a stored value is the typed value (its leaves, see {@link typedLeaves}). Pure. */
export function equalsTyped(stored: JsonValue | undefined, value: TypedValue): boolean {
  if (!isJsonObject(stored)) return false;
  return typedLeaves(value).every(([path, leaf]) => {
    let at: JsonValue | undefined = stored;
    for (const step of path.split('.')) at = ownField(at, step);
    return typeof at === 'string' && at === leaf;
  });
}

/** The name users know a typed value by, for messages: `ObjectId`, `Date`, `UUID`... */
export function typedName(value: TypedValue): string {
  if ('$oid' in value) return 'ObjectId';
  if ('$date' in value) return 'Date';
  if ('$numberDecimal' in value) return 'Decimal128';
  if ('$numberLong' in value) return 'Int64';
  return 'UUID';
}

function invalid(where: string, message: string): StewardError {
  return new StewardError('filter.invalid', `${where}: ${message}`, { where });
}
