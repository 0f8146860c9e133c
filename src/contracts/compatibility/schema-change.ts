import type { JsonObject, JsonValue } from '../../core/json.js';

/** A JSON Schema (draft-07, 2019-09 or 2020-12) as parsed JSON: an object, or the boolean schemas `true` and `false`. */
export type JsonSchema = JsonObject | boolean;

/**
 * Every kind of change `diffSchemas` reports. The compatibility rules table has a verdict for
 * each, so adding a kind here without a rule fails the rules test.
 */
export const changeKinds = [
  'field-added-optional',
  'field-added-required',
  'field-removed',
  'required-field-removed',
  'field-renamed',
  'field-made-required',
  'field-made-optional',
  'type-widened',
  'type-narrowed',
  'type-changed',
  'enum-widened',
  'enum-narrowed',
  'format-added',
  'format-removed',
  'format-changed',
  'bound-tightened',
  'bound-relaxed',
  'pattern-changed',
  'closed-to-open',
  'open-to-closed',
  'branch-added',
  'branch-removed',
  'tuple-item-added',
  'tuple-item-removed',
  'dependency-added',
  'dependency-removed',
  'multiple-of-changed',
  'contains-changed',
  'property-names-changed',
  'not-changed',
  'unsupported',
] as const;
export type ChangeKind = (typeof changeKinds)[number];

/**
 * How an object treats fields it does not declare: `open` (accepts any, additionalProperties
 * absent or true), `closed` (accepts none: additionalProperties or unevaluatedProperties false)
 * or `constrained` (a schema or a pattern decides). For tuples, the other items likewise.
 */
export type ObjectOpenness = 'open' | 'constrained' | 'closed';

/** One difference between two schemas, located by a JSON pointer into the older schema. */
export type SchemaChange = {
  /** JSON pointer to the changed sub-schema, e.g. `/properties/address/properties/city`; `` is the root. */
  path: string;
  kind: ChangeKind;
  /**
   * For fields added, removed or renamed: the openness that decides the verdict. For an added field
   * it is the older object's (could old documents already carry it, would old readers reject it);
   * for a removed field the newer object's (would new readers reject it, may new writers reuse it).
   */
  object?: ObjectOpenness;
  /** A sentence for a person: what changed, with the old and new values. */
  message: string;
  /**
   * Where it could be built: a minimal document the writer's version accepts and the reader's
   * rejects, so a person sees why (in the direction the change was found to break).
   */
  example?: JsonValue;
};

/** Escapes a property name for a JSON pointer (RFC 6901). */
export function escapePointer(name: string): string {
  return name.replaceAll('~', '~0').replaceAll('/', '~1');
}
