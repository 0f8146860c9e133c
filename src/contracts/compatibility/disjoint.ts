import { canonicalJson, type JsonObject, type JsonValue } from '../../core/json.js';
import { acceptsValue } from './accepts-value.js';
import { fieldSchema } from './merge-schemas.js';
import type { NormalSchema } from './normalize-schema.js';

/**
 * True when no document can be valid under both schemas, proved from their types, their values
 * (`enum`/`const`), or a property both require whose values are disjoint (a discriminator such as
 * `kind: "card"` against `kind: "cash"`). False means "not proved", not "overlapping".
 */
export function disjoint(a: NormalSchema, b: NormalSchema, depth = 0): boolean {
  if (a === false || b === false) return true;
  if (a === true || b === true || depth > 8) return false;
  if (!typesOverlap(a, b)) return true;
  if (valuesDisjoint(a, b) || valuesDisjoint(b, a)) return true;
  return discriminated(a, b, depth) || forbids(a, b) || forbids(b, a);
}

const allTypes = ['array', 'boolean', 'integer', 'null', 'number', 'object', 'string'];

export function typesOf(s: JsonObject): string[] {
  return Array.isArray(s.type) ? (s.type as string[]) : allTypes;
}

function typesOverlap(a: JsonObject, b: JsonObject): boolean {
  const ta = typesOf(a);
  const tb = typesOf(b);
  const num = (t: string[]) => t.includes('number') || t.includes('integer');
  return ta.some((t) => tb.includes(t)) || (num(ta) && num(tb));
}

/** Every value `a` allows (it has an enum) is rejected by `b`. */
function valuesDisjoint(a: JsonObject, b: JsonObject): boolean {
  if (!Array.isArray(a.enum)) return false;
  if (Array.isArray(b.enum)) {
    const other = new Set(b.enum.map(canonicalJson));
    return a.enum.every((v) => !other.has(canonicalJson(v)));
  }
  return a.enum.every((v) => acceptsValue(b, v) === false);
}

/**
 * Both require a property whose values cannot meet. `required` only binds objects, so this proves
 * something only when one side accepts nothing but objects (a string passes `required` anywhere).
 */
function discriminated(a: JsonObject, b: JsonObject, depth: number): boolean {
  if (!objectsOnly(a) && !objectsOnly(b)) return false;
  const ra = requiredOf(a);
  const rb = new Set(requiredOf(b));
  return ra.some((name) => rb.has(name) && disjoint(fieldSchema(a, name), fieldSchema(b, name), depth + 1));
}

/** `a` requires a property that `b` forbids (`false` for it, or closed without it). */
function forbids(a: JsonObject, b: JsonObject): boolean {
  if (!objectsOnly(a)) return false;
  return requiredOf(a).some((name) => fieldSchema(b, name) === false);
}

const objectsOnly = (s: JsonObject) => typesOf(s).every((t) => t === 'object');

export function requiredOf(s: JsonObject): string[] {
  return Array.isArray(s.required)
    ? (s.required as JsonValue[]).filter((x): x is string => typeof x === 'string')
    : [];
}
