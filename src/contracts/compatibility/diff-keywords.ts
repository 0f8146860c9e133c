import { canonicalJson, type JsonObject, type JsonValue } from '../../core/json.js';
import type { SchemaChange } from './schema-change.js';

/**
 * Compares the keywords that constrain a single value (type, enum/const, format, bounds, pattern)
 * of two sub-schemas at the same path. Objects and arrays are left to the caller.
 */
export function diffKeywords(before: JsonObject, after: JsonObject, path: string): SchemaChange[] {
  return [
    ...diffType(before, after, path),
    ...diffEnum(before, after, path),
    ...diffFormat(before, after, path),
    ...diffBounds(before, after, path),
    ...diffPattern(before, after, path),
  ];
}

const allTypes = ['array', 'boolean', 'integer', 'null', 'number', 'object', 'string'];

function typesOf(schema: JsonObject): string[] {
  const t = schema.type;
  if (typeof t === 'string') return [t];
  if (Array.isArray(t)) return t.filter((x): x is string => typeof x === 'string');
  return allTypes;
}

/** True when every value of the `inner` types is also of the `outer` types (integer is a number). */
function typesWithin(inner: string[], outer: string[]): boolean {
  return inner.every((t) => outer.includes(t) || (t === 'integer' && outer.includes('number')));
}

function diffType(before: JsonObject, after: JsonObject, path: string): SchemaChange[] {
  const b = typesOf(before);
  const a = typesOf(after);
  const grew = typesWithin(b, a);
  const shrank = typesWithin(a, b);
  if (grew && shrank) return [];
  const kind = grew ? 'type-widened' : shrank ? 'type-narrowed' : 'type-changed';
  return [{ path, kind, message: `type went from ${show(before.type)} to ${show(after.type)}` }];
}

/** The allowed values, as canonical JSON, or undefined when any value is allowed. */
function allowedValues(schema: JsonObject): Set<string> | undefined {
  if (schema.const !== undefined) return new Set([canonicalJson(schema.const)]);
  if (Array.isArray(schema.enum)) return new Set(schema.enum.map(canonicalJson));
  return undefined;
}

function diffEnum(before: JsonObject, after: JsonObject, path: string): SchemaChange[] {
  const b = allowedValues(before);
  const a = allowedValues(after);
  if (b === undefined && a === undefined) return [];
  if (b === undefined) return [{ path, kind: 'enum-narrowed', message: `values restricted to ${list(a)}` }];
  if (a === undefined) return [{ path, kind: 'enum-widened', message: `values no longer restricted` }];
  const added = [...a].filter((v) => !b.has(v));
  const removed = [...b].filter((v) => !a.has(v));
  const out: SchemaChange[] = [];
  if (added.length > 0)
    out.push({ path, kind: 'enum-widened', message: `values added: ${added.join(', ')}` });
  if (removed.length > 0) {
    out.push({ path, kind: 'enum-narrowed', message: `values removed: ${removed.join(', ')}` });
  }
  return out;
}

/**
 * A format is treated as a constraint, not an annotation: the stores' validators and steward's own
 * `contracts verify` assert it, so adding one can reject old documents.
 */
function diffFormat(before: JsonObject, after: JsonObject, path: string): SchemaChange[] {
  const b = before.format;
  const a = after.format;
  if (b === a) return [];
  const message = `format went from ${show(b)} to ${show(a)}`;
  if (b === undefined) return [{ path, kind: 'format-added', message }];
  if (a === undefined) return [{ path, kind: 'format-removed', message }];
  return [{ path, kind: 'format-changed', message }];
}

type Bound = { value: number; exclusive: boolean; keyword: string };
type Side = 'lower' | 'upper';

/** Inclusive keyword, exclusive keyword (if any) and which side each bound group limits. */
const boundGroups: readonly [string, string | undefined, Side][] = [
  ['minimum', 'exclusiveMinimum', 'lower'],
  ['maximum', 'exclusiveMaximum', 'upper'],
  ['minLength', undefined, 'lower'],
  ['maxLength', undefined, 'upper'],
  ['minItems', undefined, 'lower'],
  ['maxItems', undefined, 'upper'],
  ['minProperties', undefined, 'lower'],
  ['maxProperties', undefined, 'upper'],
];

/** True when bound `x` admits fewer values than bound `y` (a missing bound admits all). */
function tighter(x: Bound | undefined, y: Bound | undefined, side: Side): boolean {
  if (x === undefined) return false;
  if (y === undefined) return true;
  if (x.value === y.value) return x.exclusive && !y.exclusive;
  return side === 'lower' ? x.value > y.value : x.value < y.value;
}

/** The effective bound when a schema gives both the inclusive and the exclusive keyword. */
function boundOf(schema: JsonObject, inclusive: string, exclusive: string | undefined, side: Side) {
  const i = schema[inclusive];
  const e = exclusive === undefined ? undefined : schema[exclusive];
  const inc = typeof i === 'number' ? { value: i, exclusive: false, keyword: inclusive } : undefined;
  const exc = typeof e === 'number' ? { value: e, exclusive: true, keyword: exclusive ?? '' } : undefined;
  return tighter(exc, inc, side) ? exc : (inc ?? exc);
}

function diffBounds(before: JsonObject, after: JsonObject, path: string): SchemaChange[] {
  const out: SchemaChange[] = [];
  for (const [inclusive, exclusive, side] of boundGroups) {
    const b = boundOf(before, inclusive, exclusive, side);
    const a = boundOf(after, inclusive, exclusive, side);
    const message = `${inclusive} bound went from ${showBound(b)} to ${showBound(a)}`;
    if (tighter(a, b, side)) out.push({ path, kind: 'bound-tightened', message });
    else if (tighter(b, a, side)) out.push({ path, kind: 'bound-relaxed', message });
  }
  const bu = before.uniqueItems === true;
  const au = after.uniqueItems === true;
  if (bu !== au) {
    const kind = au ? 'bound-tightened' : 'bound-relaxed';
    out.push({ path, kind, message: `uniqueItems went from ${bu} to ${au}` });
  }
  return out;
}

/** Whether one regular expression admits more strings than another is not decided; only add/remove. */
function diffPattern(before: JsonObject, after: JsonObject, path: string): SchemaChange[] {
  const b = before.pattern;
  const a = after.pattern;
  if (b === a) return [];
  const message = `pattern went from ${show(b)} to ${show(a)}`;
  if (b === undefined) return [{ path, kind: 'bound-tightened', message }];
  if (a === undefined) return [{ path, kind: 'bound-relaxed', message }];
  return [{ path, kind: 'pattern-changed', message }];
}

function showBound(bound: Bound | undefined): string {
  return bound === undefined ? 'none' : `${bound.keyword} ${bound.value}`;
}

function show(value: JsonValue | undefined): string {
  return value === undefined ? 'none' : canonicalJson(value);
}

function list(values: Set<string> | undefined): string {
  return [...(values ?? [])].join(', ');
}
