import { canonicalJson, isJsonObject, type JsonObject, type JsonValue } from '../../core/json.js';
import type { NormalSchema } from './normalize-schema.js';
import { matches } from './property-names.js';

/**
 * The conjunction of two schemas in internal form as one schema, when that can be written exactly
 * with one set of keywords; `undefined` when it cannot (two different patterns, two different
 * `items`...), and the caller keeps the parts apart as `allOf`. Pure.
 *
 * Objects merge field by field: each name gets the conjunction of what each side says about it
 * (its `properties` entry, the `patternProperties` it matches, or else `additionalProperties`),
 * which is what makes `allOf: [{ additionalProperties: false, properties: { a } }, { properties:
 * { b } }]` reject `b`, as it must.
 */
export function mergeSchemas(a: NormalSchema, b: NormalSchema, aIsParent = false): NormalSchema | undefined {
  if (a === true) return b;
  if (b === true) return a;
  if (a === false || b === false) return false;
  // unevaluated* sees only what its own schema (and what it applies in place) evaluates: merged
  // with a sibling it would see the sibling's names too. Only a parent may take in its parts.
  if (unevaluated(b) || (unevaluated(a) && !aIsParent)) return undefined;
  if (canonicalJson(a) === canonicalJson(b)) return a;
  const out: JsonObject = {};
  for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
    const x = a[key];
    const y = b[key];
    if (x === undefined || y === undefined) {
      out[key] = (x ?? y) as JsonValue;
      continue;
    }
    const merged = mergeKeyword(key, x, y);
    if (merged === undefined) return undefined;
    if (merged !== null) out[key] = merged;
  }
  if (!mergeObjects(a, b, out)) return undefined;
  if (Array.isArray(out.type) && out.type.length === 0) return false;
  return out;
}

const unevaluated = (s: JsonObject) =>
  s.unevaluatedProperties !== undefined || s.unevaluatedItems !== undefined;

/** The merged value of one keyword present on both sides; `null` to omit it; undefined: cannot. */
function mergeKeyword(key: string, x: JsonValue, y: JsonValue): JsonValue | null | undefined {
  if (canonicalJson(x) === canonicalJson(y)) return x;
  switch (key) {
    case 'type':
      return intersectTypes(x as string[], y as string[]);
    case 'enum': {
      const keep = new Set((y as JsonValue[]).map(canonicalJson));
      return (x as JsonValue[]).filter((v) => keep.has(canonicalJson(v)));
    }
    case 'required':
      return [...new Set([...(x as string[]), ...(y as string[])])].sort();
    case 'minimum':
    case 'exclusiveMinimum':
    case 'minLength':
    case 'minItems':
    case 'minProperties':
    case 'minContains':
      return Math.max(x as number, y as number);
    case 'maximum':
    case 'exclusiveMaximum':
    case 'maxLength':
    case 'maxItems':
    case 'maxProperties':
    case 'maxContains':
      return Math.min(x as number, y as number);
    case 'uniqueItems':
      return x === true || y === true;
    case 'dependentRequired': {
      const out: JsonObject = { ...(x as JsonObject) };
      for (const [k, v] of Object.entries(y as JsonObject)) {
        out[k] = [...new Set([...((out[k] as string[] | undefined) ?? []), ...(v as string[])])];
      }
      return out;
    }
    case 'properties':
    case 'patternProperties':
    case 'additionalProperties':
      return null; // mergeObjects
    default:
      return undefined;
  }
}

function intersectTypes(x: string[], y: string[]): string[] {
  const out = new Set<string>();
  for (const t of x) {
    if (y.includes(t)) out.add(t);
    else if ((t === 'integer' && y.includes('number')) || (t === 'number' && y.includes('integer')))
      out.add('integer');
  }
  return [...out].sort();
}

/** Merges properties, patternProperties and additionalProperties into `out`; false when it cannot. */
function mergeObjects(a: JsonObject, b: JsonObject, out: JsonObject): boolean {
  const pa = patternsOf(a);
  const pb = patternsOf(b);
  if (pa.length > 0 && pb.length > 0 && canonicalJson(pa) !== canonicalJson(pb)) return false;
  const names = new Set([...Object.keys(propsOf(a)), ...Object.keys(propsOf(b))]);
  if (names.size > 0) {
    const properties: JsonObject = {};
    for (const name of names) {
      const m = mergeSchemas(fieldSchema(a, name), fieldSchema(b, name));
      if (m === undefined) return false;
      properties[name] = m;
    }
    out.properties = properties;
  }
  const patterns = pa.length > 0 ? pa : pb;
  if (patterns.length > 0) {
    const pp: JsonObject = {};
    for (const p of patterns) {
      const m = mergeSchemas(patternSide(a, p), patternSide(b, p));
      if (m === undefined) return false;
      pp[p] = m;
    }
    out.patternProperties = pp;
  }
  if (a.additionalProperties !== undefined || b.additionalProperties !== undefined) {
    const m = mergeSchemas(additional(a), additional(b));
    if (m === undefined) return false;
    out.additionalProperties = m;
  }
  return true;
}

const propsOf = (s: JsonObject) => (isJsonObject(s.properties) ? s.properties : {});
const patternsOf = (s: JsonObject) =>
  Object.keys(isJsonObject(s.patternProperties) ? s.patternProperties : {}).sort();
const additional = (s: JsonObject): NormalSchema => (s.additionalProperties ?? true) as NormalSchema;

/** What `s` says about the value of property `name`: its entry, matching patterns, or additionalProperties. */
export function fieldSchema(s: JsonObject, name: string): NormalSchema {
  const props = propsOf(s);
  const pp = isJsonObject(s.patternProperties) ? s.patternProperties : {};
  const hits = Object.keys(pp).filter((p) => matches(p, name) !== false);
  let out: NormalSchema | undefined = name in props ? (props[name] as NormalSchema) : undefined;
  for (const p of hits) {
    const m: NormalSchema | undefined =
      out === undefined ? (pp[p] as NormalSchema) : mergeSchemas(out, pp[p] as NormalSchema);
    out = m ?? { allOf: [out as JsonValue, pp[p] as JsonValue] };
  }
  if (hits.some((p) => matches(p, name) === undefined))
    out = { allOf: [out ?? true, { $unknownPattern: true }] };
  return out ?? additional(s);
}

/** What `s` says about a name matching pattern `p` that no `properties` entry names. */
function patternSide(s: JsonObject, p: string): NormalSchema {
  const pp = isJsonObject(s.patternProperties) ? s.patternProperties : undefined;
  return pp && p in pp ? (pp[p] as NormalSchema) : additional(s);
}
