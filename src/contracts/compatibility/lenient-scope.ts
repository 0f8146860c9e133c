import { isJsonObject, type JsonObject, type JsonValue } from '../../core/json.js';
import type { NormalRoot, NormalSchema } from './normalize-schema.js';
import { matches } from './property-names.js';

/**
 * What the writer declares at one place in a document, under lenient semantics: writers emit
 * only fields their schema declares. A name is declared when any writer sub-schema that may apply
 * there names it in `properties`, matches it with `patternProperties`, or gives
 * `additionalProperties` (or `unevaluatedProperties`) a schema, which declares a map of any name.
 * Every sub-schema that *may* apply counts (all branches of an `anyOf`), which can only make the
 * writer emit more, so the check stays on the safe side.
 */
export interface Declarations {
  readonly names: ReadonlySet<string>;
  readonly patterns: readonly string[];
  /** Some sub-schema declares every name (a schema-valued additionalProperties). */
  readonly anyName: boolean;
}

/** The scope's sub-schemas with the applicators that apply in place opened up. */
export function expandScope(scope: readonly NormalSchema[], root: NormalRoot): JsonObject[] {
  const out: JsonObject[] = [];
  const seen = new Set<JsonObject>();
  const visit = (s: NormalSchema | JsonValue | undefined, depth: number) => {
    if (!isJsonObject(s) || seen.has(s) || depth > 16) return;
    seen.add(s);
    out.push(s);
    for (const key of ['allOf', 'anyOf', 'oneOf'] as const) {
      if (Array.isArray(s[key])) for (const p of s[key] as JsonValue[]) visit(p, depth + 1);
    }
    visit(s.then, depth + 1);
    visit(s.else, depth + 1);
    if (isJsonObject(s.dependentSchemas))
      for (const d of Object.values(s.dependentSchemas)) visit(d, depth + 1);
    if (typeof s.$ref === 'string') visit(root.resolve(s.$ref), depth + 1);
  };
  for (const s of scope) visit(s, 0);
  return out;
}

export function declarations(scope: readonly NormalSchema[], root: NormalRoot): Declarations {
  const names = new Set<string>();
  const patterns: string[] = [];
  let anyName = false;
  for (const s of expandScope(scope, root)) {
    if (isJsonObject(s.properties)) for (const n of Object.keys(s.properties)) names.add(n);
    if (isJsonObject(s.patternProperties)) patterns.push(...Object.keys(s.patternProperties));
    if (isJsonObject(s.additionalProperties) || isJsonObject(s.unevaluatedProperties)) anyName = true;
  }
  return { names, patterns, anyName };
}

export function declares(d: Declarations, name: string): boolean {
  return d.anyName || d.names.has(name) || d.patterns.some((p) => matches(p, name) !== false);
}

/** The writer sub-schemas that may apply to the value of property `name`. */
export function scopeOfProperty(
  scope: readonly NormalSchema[],
  root: NormalRoot,
  name: string,
): NormalSchema[] {
  const out: NormalSchema[] = [];
  for (const s of expandScope(scope, root)) {
    const props = isJsonObject(s.properties) ? s.properties : {};
    const pp = isJsonObject(s.patternProperties) ? s.patternProperties : {};
    let governed = false;
    if (Object.hasOwn(props, name)) {
      out.push(props[name] as NormalSchema);
      governed = true;
    }
    for (const [p, sub] of Object.entries(pp)) {
      if (matches(p, name) !== false) {
        out.push(sub as NormalSchema);
        governed = true;
      }
    }
    if (!governed) {
      if (isJsonObject(s.additionalProperties)) out.push(s.additionalProperties);
      if (isJsonObject(s.unevaluatedProperties)) out.push(s.unevaluatedProperties);
    }
  }
  return out;
}

/** The writer sub-schemas that may apply to any item of an array. */
export function scopeOfItems(scope: readonly NormalSchema[], root: NormalRoot): NormalSchema[] {
  const out: NormalSchema[] = [];
  for (const s of expandScope(scope, root)) {
    if (Array.isArray(s.prefixItems)) out.push(...(s.prefixItems as NormalSchema[]));
    for (const key of ['items', 'contains', 'unevaluatedItems'] as const) {
      if (s[key] !== undefined) out.push(s[key] as NormalSchema);
    }
  }
  return out;
}
