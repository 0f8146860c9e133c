import { canonicalJson, isJsonObject, type JsonObject, type JsonValue } from '../../core/json.js';
import type { NormalRoot, NormalSchema } from './normalize-schema.js';
import { typedUniqueTuple } from './normalize-schema.js';
import { matches } from './property-names.js';

/**
 * Whether `schema` (internal form) accepts `value`: true, false, or undefined when it uses what
 * this small evaluator does not judge (`format`, references, `unevaluated*`, unknown keywords).
 * Used to pin `enum` values against the other side and to pick example documents; never to
 * decide validity on its own where undefined is possible.
 */
export function acceptsValue(
  schema: NormalSchema,
  value: JsonValue,
  root?: NormalRoot,
  depth = 0,
): boolean | undefined {
  if (schema === true) return true;
  if (schema === false) return false;
  if (depth > 32) return undefined;
  const results = Object.keys(schema).map((key) => keyword(schema, key, value, root, depth));
  if (results.includes(false)) return false;
  return results.includes(undefined) ? undefined : true;
}

export function typeOf(value: JsonValue): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

export function typeAccepts(types: readonly string[], value: JsonValue): boolean {
  const t = typeOf(value);
  return types.includes(t) || (t === 'integer' && types.includes('number'));
}

const all = (xs: (boolean | undefined)[]) =>
  xs.includes(false) ? false : xs.includes(undefined) ? undefined : true;

function keyword(
  s: JsonObject,
  key: string,
  v: JsonValue,
  root: NormalRoot | undefined,
  depth: number,
): boolean | undefined {
  const k = s[key] as JsonValue;
  const sub = (x: JsonValue | undefined, y: JsonValue) =>
    acceptsValue((x ?? true) as NormalSchema, y, root, depth + 1);
  const n = typeof v === 'number' ? v : undefined;
  const str = typeof v === 'string' ? [...v].length : undefined;
  const arr = Array.isArray(v) ? v : undefined;
  const obj = isJsonObject(v) ? v : undefined;
  switch (key) {
    case 'type':
      return typeAccepts(k as string[], v);
    case 'enum':
      return (k as JsonValue[]).some((x) => canonicalJson(x) === canonicalJson(v));
    case 'minimum':
      return n === undefined || n >= (k as number);
    case 'maximum':
      return n === undefined || n <= (k as number);
    case 'exclusiveMinimum':
      return n === undefined || n > (k as number);
    case 'exclusiveMaximum':
      return n === undefined || n < (k as number);
    case 'multipleOf':
      return n === undefined || Number.isInteger(n / (k as number));
    case 'minLength':
      return str === undefined || str >= (k as number);
    case 'maxLength':
      return str === undefined || str <= (k as number);
    case 'pattern':
      return typeof v !== 'string' ? true : matches(k as string, v);
    case 'format':
      return typeof v !== 'string' ? true : undefined;
    case 'minItems':
      return arr === undefined || arr.length >= (k as number);
    case 'maxItems':
      return arr === undefined || arr.length <= (k as number);
    case 'uniqueItems':
      if (arr === undefined || k !== true) return true;
      if (typedUniqueTuple(s)) return undefined;
      return new Set(arr.map(canonicalJson)).size === arr.length;
    case 'prefixItems':
      return (
        arr === undefined ||
        all((k as JsonValue[]).map((p, i) => (i < arr.length ? sub(p, arr[i] as JsonValue) : true)))
      );
    case 'items': {
      const from = Array.isArray(s.prefixItems) ? s.prefixItems.length : 0;
      return arr === undefined || all(arr.slice(from).map((x) => sub(k, x)));
    }
    case 'contains': {
      if (arr === undefined) return true;
      if (Array.isArray(s.prefixItems)) return undefined; // Ajv 8 reads this pair its own way
      const hits = arr.map((x) => sub(k, x));
      if (hits.includes(undefined)) return undefined;
      const count = hits.filter((h) => h === true).length;
      const min = typeof s.minContains === 'number' ? s.minContains : 1;
      const max = typeof s.maxContains === 'number' ? s.maxContains : Number.POSITIVE_INFINITY;
      return count >= min && count <= max;
    }
    case 'minContains':
    case 'maxContains':
      return true;
    case 'required':
      return obj === undefined || (k as string[]).every((name) => Object.hasOwn(obj, name));
    case 'minProperties':
      return obj === undefined || Object.keys(obj).length >= (k as number);
    case 'maxProperties':
      return obj === undefined || Object.keys(obj).length <= (k as number);
    case 'properties':
    case 'patternProperties':
    case 'additionalProperties':
      return obj === undefined ? true : key === 'properties' ? objectFields(s, obj, root, depth) : true;
    case 'propertyNames':
      return obj === undefined || all(Object.keys(obj).map((name) => sub(k, name)));
    case 'dependentRequired':
      return (
        obj === undefined ||
        Object.entries(k as JsonObject).every(
          ([p, req]) => !Object.hasOwn(obj, p) || (req as string[]).every((q) => Object.hasOwn(obj, q)),
        )
      );
    case 'dependentSchemas':
      return (
        obj === undefined ||
        all(Object.entries(k as JsonObject).map(([p, d]) => (Object.hasOwn(obj, p) ? sub(d, v) : true)))
      );
    case 'allOf':
      return all((k as JsonValue[]).map((p) => sub(p, v)));
    case 'anyOf': {
      const r = (k as JsonValue[]).map((p) => sub(p, v));
      return r.includes(true) ? true : r.includes(undefined) ? undefined : false;
    }
    case 'oneOf': {
      const r = (k as JsonValue[]).map((p) => sub(p, v));
      if (r.includes(undefined)) return undefined;
      return r.filter((x) => x === true).length === 1;
    }
    case 'not': {
      const r = sub(k, v);
      return r === undefined ? undefined : !r;
    }
    case 'if': {
      const c = sub(k, v);
      if (c === undefined) return undefined;
      return sub(c ? s.then : s.else, v);
    }
    case 'then':
    case 'else':
      return true;
    default:
      return undefined;
  }
}

/** properties, patternProperties and additionalProperties together, since they share the names. */
function objectFields(s: JsonObject, obj: JsonObject, root: NormalRoot | undefined, depth: number) {
  const props = isJsonObject(s.properties) ? s.properties : {};
  const pp = isJsonObject(s.patternProperties) ? s.patternProperties : {};
  const out: (boolean | undefined)[] = [];
  for (const [name, value] of Object.entries(obj)) {
    let governed = false;
    if (Object.hasOwn(props, name)) {
      governed = true;
      out.push(acceptsValue(props[name] as NormalSchema, value, root, depth + 1));
    }
    for (const p of Object.keys(pp)) {
      const m = matches(p, name);
      if (m === undefined) out.push(undefined);
      if (m) {
        governed = true;
        out.push(acceptsValue(pp[p] as NormalSchema, value, root, depth + 1));
      }
    }
    if (!governed && s.additionalProperties !== undefined)
      out.push(acceptsValue(s.additionalProperties as NormalSchema, value, root, depth + 1));
  }
  return all(out);
}
