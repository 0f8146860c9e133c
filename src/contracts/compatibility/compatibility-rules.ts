import type { ChangeKind, SchemaChange } from './schema-change.js';

/**
 * The compatibility rules: for each kind of schema change, whether it breaks **backward**
 * compatibility (readers of the new schema can no longer read documents written with the old) and
 * **forward** compatibility (readers of the old schema can no longer read documents written with
 * the new), under each of two semantics, modelled on Confluent's STRICT and LENIENT JSON Schema
 * policies (the differences are listed in {@link confluentDifferences}):
 *
 * - `strict`: a schema stands for exactly the set of documents it accepts. An open object accepts
 *   any undeclared field of any type, so adding an optional field to an open object breaks
 *   backward compatibility (old documents may carry that name with another type) and removing one
 *   breaks forward compatibility (new writers may reuse the name).
 * - `lenient`: writers emit only the fields their schema declares (in `properties`, by a
 *   `patternProperties` pattern, or any name where additionalProperties is a schema). Undeclared
 *   fields are assumed absent from documents, so an open object's openness only matters to readers.
 *
 * The check (`compare-schemas.ts`) decides each direction by asking whether the reader accepts
 * every document the writer may emit; each reason it finds is a change of one of these kinds, and
 * the table says in which directions a kind can break. A test holds the check to the table.
 *
 * **Default: `lenient`.** Document collections are open in practice, but the writers of a steward
 * collection are known: each consuming service declares the fields it writes, and `contracts
 * verify` checks the documents actually stored. Under that discipline an undeclared field in a
 * document is a bug to find in live data, not a possibility every schema change must defend
 * against. Strict would make full compatibility forbid adding an optional field to an open object,
 * the most common safe evolution, and a check that rejects safe changes teaches teams to waive it.
 * Lenient still rejects what breaks real readers: required fields added or dropped, type, enum,
 * format and bound changes, renames, and fields meeting a closed object. Its one blind spot is a
 * field removed and later re-added with another type, each step fine on its own; the transitive
 * modes catch it, which is why collections that retire fields should use them. Choose `strict` per
 * collection when writers are not all known, e.g. a collection fed by third-party payloads.
 *
 * The table is data so the docs can be generated from it. A row applies to objects of any openness
 * unless it names one; a field added to or removed from an object whose additionalProperties is a
 * schema (`constrained`) takes the stricter of the open and closed rows, as it is partly both.
 */
export type Semantics = 'strict' | 'lenient';

/** A direction of compatibility: backward (new reads old) or forward (old reads new). */
export type Direction = 'backward' | 'forward';

/** Whether a change keeps or breaks compatibility in each direction. */
export type DirectionVerdicts = Readonly<Record<Direction, 'ok' | 'breaks'>>;

/** One row of {@link compatibilityRules}. */
export type CompatibilityRule = {
  readonly kind: ChangeKind;
  /**
   * The openness the row is for; see `SchemaChange.object`. For tuples, the openness of the
   * other items (`items` true or `false`).
   */
  readonly object: 'any' | 'open' | 'closed' | 'constrained';
  /** The keywords whose changes the row decides. */
  readonly keywords: string;
  readonly strict: DirectionVerdicts;
  readonly lenient: DirectionVerdicts;
  /** Why, in a sentence, for the docs and for violation messages. */
  readonly why: string;
};

/** The rules, one row per change kind (two for field changes, whose verdict depends on openness). */
export const compatibilityRules: readonly CompatibilityRule[] = [
  {
    kind: 'field-added-optional',
    object: 'open',
    keywords: 'properties, required, additionalProperties, patternProperties, unevaluatedProperties',
    strict: { backward: 'breaks', forward: 'ok' },
    lenient: { backward: 'ok', forward: 'ok' },
    why: 'old documents may already carry the field with another type, unless writers emit only declared fields',
  },
  {
    kind: 'field-added-optional',
    object: 'closed',
    keywords: 'properties, required, additionalProperties, patternProperties, unevaluatedProperties',
    strict: { backward: 'ok', forward: 'breaks' },
    lenient: { backward: 'ok', forward: 'breaks' },
    why: 'old readers of a closed object reject the new field',
  },
  {
    kind: 'field-added-required',
    object: 'open',
    keywords: 'properties, required, additionalProperties, patternProperties, unevaluatedProperties',
    strict: { backward: 'breaks', forward: 'ok' },
    lenient: { backward: 'breaks', forward: 'ok' },
    why: 'old documents lack the field the new schema requires',
  },
  {
    kind: 'field-added-required',
    object: 'closed',
    keywords: 'properties, required, additionalProperties, patternProperties, unevaluatedProperties',
    strict: { backward: 'breaks', forward: 'breaks' },
    lenient: { backward: 'breaks', forward: 'breaks' },
    why: 'old documents lack the field, and old readers of a closed object reject it',
  },
  {
    kind: 'field-removed',
    object: 'open',
    keywords: 'properties, required, additionalProperties, patternProperties, unevaluatedProperties',
    strict: { backward: 'ok', forward: 'breaks' },
    lenient: { backward: 'ok', forward: 'ok' },
    why: 'new writers of an open object may reuse the name with another type, unless writers emit only declared fields',
  },
  {
    kind: 'field-removed',
    object: 'closed',
    keywords: 'properties, required, additionalProperties, patternProperties, unevaluatedProperties',
    strict: { backward: 'breaks', forward: 'ok' },
    lenient: { backward: 'breaks', forward: 'ok' },
    why: 'new readers of a closed object reject old documents that carry the field',
  },
  {
    kind: 'required-field-removed',
    object: 'open',
    keywords: 'properties, required, additionalProperties, patternProperties, unevaluatedProperties',
    strict: { backward: 'ok', forward: 'breaks' },
    lenient: { backward: 'ok', forward: 'breaks' },
    why: 'old readers require a field new writers no longer emit',
  },
  {
    kind: 'required-field-removed',
    object: 'closed',
    keywords: 'properties, required, additionalProperties, patternProperties, unevaluatedProperties',
    strict: { backward: 'breaks', forward: 'breaks' },
    lenient: { backward: 'breaks', forward: 'breaks' },
    why: 'old readers require the field, and new readers of a closed object reject documents that carry it',
  },
  {
    kind: 'field-renamed',
    object: 'any',
    keywords: 'properties',
    strict: { backward: 'breaks', forward: 'breaks' },
    lenient: { backward: 'breaks', forward: 'breaks' },
    why: 'the data moves to another name, so readers of either name lose it in documents written with the other',
  },
  {
    kind: 'field-made-required',
    object: 'any',
    keywords: 'required',
    strict: { backward: 'breaks', forward: 'ok' },
    lenient: { backward: 'breaks', forward: 'ok' },
    why: 'old documents may lack the field',
  },
  {
    kind: 'field-made-optional',
    object: 'any',
    keywords: 'required',
    strict: { backward: 'ok', forward: 'breaks' },
    lenient: { backward: 'ok', forward: 'breaks' },
    why: 'old readers require a field new documents may lack',
  },
  {
    kind: 'type-widened',
    object: 'any',
    keywords: 'type, `false`',
    strict: { backward: 'ok', forward: 'breaks' },
    lenient: { backward: 'ok', forward: 'breaks' },
    why: 'old readers do not accept the added types',
  },
  {
    kind: 'type-narrowed',
    object: 'any',
    keywords: 'type, `false`',
    strict: { backward: 'breaks', forward: 'ok' },
    lenient: { backward: 'breaks', forward: 'ok' },
    why: 'old documents may hold the types no longer allowed',
  },
  {
    kind: 'type-changed',
    object: 'any',
    keywords: 'type',
    strict: { backward: 'breaks', forward: 'breaks' },
    lenient: { backward: 'breaks', forward: 'breaks' },
    why: 'neither type contains the other',
  },
  {
    kind: 'enum-widened',
    object: 'any',
    keywords: 'enum, const',
    strict: { backward: 'ok', forward: 'breaks' },
    lenient: { backward: 'ok', forward: 'breaks' },
    why: 'old readers do not accept the added values',
  },
  {
    kind: 'enum-narrowed',
    object: 'any',
    keywords: 'enum, const',
    strict: { backward: 'breaks', forward: 'ok' },
    lenient: { backward: 'breaks', forward: 'ok' },
    why: 'old documents may hold the removed values',
  },
  {
    kind: 'format-added',
    object: 'any',
    keywords: 'format',
    strict: { backward: 'breaks', forward: 'ok' },
    lenient: { backward: 'breaks', forward: 'ok' },
    why: 'old documents may not match the new format',
  },
  {
    kind: 'format-removed',
    object: 'any',
    keywords: 'format',
    strict: { backward: 'ok', forward: 'breaks' },
    lenient: { backward: 'ok', forward: 'breaks' },
    why: 'old readers expect the format new writers no longer promise',
  },
  {
    kind: 'format-changed',
    object: 'any',
    keywords: 'format',
    strict: { backward: 'breaks', forward: 'breaks' },
    lenient: { backward: 'breaks', forward: 'breaks' },
    why: 'values of one format are not values of the other',
  },
  {
    kind: 'bound-tightened',
    object: 'any',
    keywords:
      'minimum, maximum, exclusiveMinimum, exclusiveMaximum, minLength, maxLength, minItems, maxItems, minProperties, maxProperties, uniqueItems, pattern (added)',
    strict: { backward: 'breaks', forward: 'ok' },
    lenient: { backward: 'breaks', forward: 'ok' },
    why: 'old documents may lie outside the new bound',
  },
  {
    kind: 'bound-relaxed',
    object: 'any',
    keywords: 'the same bounds, pattern (removed)',
    strict: { backward: 'ok', forward: 'breaks' },
    lenient: { backward: 'ok', forward: 'breaks' },
    why: 'new documents may lie outside the old bound',
  },
  {
    kind: 'pattern-changed',
    object: 'any',
    keywords: 'pattern',
    strict: { backward: 'breaks', forward: 'breaks' },
    lenient: { backward: 'breaks', forward: 'breaks' },
    why: 'steward cannot tell whether one pattern admits the strings of the other',
  },
  {
    kind: 'closed-to-open',
    object: 'open',
    keywords: 'additionalProperties, patternProperties, unevaluatedProperties',
    strict: { backward: 'ok', forward: 'breaks' },
    lenient: { backward: 'ok', forward: 'ok' },
    why: 'new writers may add undeclared fields old readers reject, unless writers emit only declared fields',
  },
  {
    kind: 'open-to-closed',
    object: 'open',
    keywords: 'additionalProperties, patternProperties, unevaluatedProperties',
    strict: { backward: 'breaks', forward: 'ok' },
    lenient: { backward: 'ok', forward: 'ok' },
    why: 'old documents may carry undeclared fields, unless writers emit only declared fields',
  },
  {
    kind: 'closed-to-open',
    object: 'constrained',
    keywords: 'additionalProperties, patternProperties, unevaluatedProperties',
    strict: { backward: 'ok', forward: 'breaks' },
    lenient: { backward: 'ok', forward: 'breaks' },
    why: 'new writers may emit fields the schema-valued additionalProperties (or a pattern) declares, which old readers reject',
  },
  {
    kind: 'open-to-closed',
    object: 'constrained',
    keywords: 'additionalProperties, patternProperties, unevaluatedProperties',
    strict: { backward: 'breaks', forward: 'ok' },
    lenient: { backward: 'breaks', forward: 'ok' },
    why: 'old documents may carry fields the old schema-valued additionalProperties (or a pattern) declared',
  },
  {
    kind: 'branch-added',
    object: 'any',
    keywords: 'anyOf, oneOf (allOf parts, then and else are judged by the other rows)',
    strict: { backward: 'ok', forward: 'breaks' },
    lenient: { backward: 'ok', forward: 'breaks' },
    why: 'old readers accept none of their alternatives for documents of the new one',
  },
  {
    kind: 'branch-removed',
    object: 'any',
    keywords: 'anyOf, oneOf (allOf parts, then and else are judged by the other rows)',
    strict: { backward: 'breaks', forward: 'ok' },
    lenient: { backward: 'breaks', forward: 'ok' },
    why: 'old documents may match only the alternative that is gone',
  },
  {
    kind: 'tuple-item-added',
    object: 'open',
    keywords: 'prefixItems, items (draft-07: items array, additionalItems)',
    strict: { backward: 'breaks', forward: 'ok' },
    lenient: { backward: 'breaks', forward: 'ok' },
    why: 'old arrays may hold any value at the new position',
  },
  {
    kind: 'tuple-item-added',
    object: 'closed',
    keywords: 'prefixItems, items (draft-07: items array, additionalItems)',
    strict: { backward: 'ok', forward: 'breaks' },
    lenient: { backward: 'ok', forward: 'breaks' },
    why: 'old readers of a closed tuple reject the longer arrays',
  },
  {
    kind: 'tuple-item-removed',
    object: 'open',
    keywords: 'prefixItems, items (draft-07: items array, additionalItems)',
    strict: { backward: 'ok', forward: 'breaks' },
    lenient: { backward: 'ok', forward: 'breaks' },
    why: 'new arrays may hold any value where old readers expect the item',
  },
  {
    kind: 'tuple-item-removed',
    object: 'closed',
    keywords: 'prefixItems, items (draft-07: items array, additionalItems)',
    strict: { backward: 'breaks', forward: 'ok' },
    lenient: { backward: 'breaks', forward: 'ok' },
    why: 'new readers of a closed tuple reject old arrays that hold the item',
  },
  {
    kind: 'dependency-added',
    object: 'any',
    keywords: 'dependentRequired, dependentSchemas (draft-07: dependencies)',
    strict: { backward: 'breaks', forward: 'ok' },
    lenient: { backward: 'breaks', forward: 'ok' },
    why: 'old documents with the field may lack what the new version requires with it',
  },
  {
    kind: 'dependency-removed',
    object: 'any',
    keywords: 'dependentRequired, dependentSchemas (draft-07: dependencies)',
    strict: { backward: 'ok', forward: 'breaks' },
    lenient: { backward: 'ok', forward: 'breaks' },
    why: 'new documents with the field may lack what old readers require with it',
  },
  {
    kind: 'multiple-of-changed',
    object: 'any',
    keywords: 'multipleOf',
    strict: { backward: 'breaks', forward: 'breaks' },
    lenient: { backward: 'breaks', forward: 'breaks' },
    why: 'the reader requires multiples the writer does not promise (only a multiple of the old step narrows safely)',
  },
  {
    kind: 'contains-changed',
    object: 'any',
    keywords: 'contains, minContains, maxContains',
    strict: { backward: 'breaks', forward: 'breaks' },
    lenient: { backward: 'breaks', forward: 'breaks' },
    why: 'the writer does not promise the items the reader counts',
  },
  {
    kind: 'property-names-changed',
    object: 'any',
    keywords: 'propertyNames',
    strict: { backward: 'breaks', forward: 'breaks' },
    lenient: { backward: 'breaks', forward: 'breaks' },
    why: 'the writer may use names the reader rejects',
  },
  {
    kind: 'not-changed',
    object: 'any',
    keywords: 'not',
    strict: { backward: 'breaks', forward: 'breaks' },
    lenient: { backward: 'breaks', forward: 'breaks' },
    why: 'the reader excludes documents the writer may emit (inside `not`, widening narrows)',
  },
  {
    kind: 'unsupported',
    object: 'any',
    keywords:
      'unknown keywords; oneOf not provably exclusive; a changed if; unevaluated* beside other applicators; unresolvable or unguarded $ref',
    strict: { backward: 'breaks', forward: 'breaks' },
    lenient: { backward: 'breaks', forward: 'breaks' },
    why: 'steward cannot compare this keyword, so it fails closed',
  },
];

/**
 * The rows that decide `change`: the row for its kind (and openness), or, for a constrained
 * object where the kind has no row of its own, the open and closed rows.
 */
export function rulesFor(change: SchemaChange): CompatibilityRule[] {
  const rows = compatibilityRules.filter((r) => r.kind === change.kind);
  const any = rows.filter((r) => r.object === 'any');
  if (any.length > 0) return any;
  const object = change.object ?? 'open';
  const exact = rows.filter((r) => r.object === object);
  if (exact.length > 0) return exact;
  return rows.filter((r) => object === 'constrained' && (r.object === 'open' || r.object === 'closed'));
}

/** True when `change` breaks compatibility in `direction` under `semantics`. */
export function isBreaking(change: SchemaChange, direction: Direction, semantics: Semantics): boolean {
  return rulesFor(change).some((r) => r[semantics][direction] === 'breaks');
}

/** Where steward's policy differs from the Confluent Schema Registry's JSON Schema checks, and why. */
export interface PolicyDifference {
  readonly topic: string;
  readonly confluent: string;
  readonly steward: string;
  readonly why: string;
}

/**
 * The semantics are modelled on Confluent's STRICT and LENIENT policies, not copied: these are
 * the differences, generated into the docs with the rules table.
 */
export const confluentDifferences: readonly PolicyDifference[] = [
  {
    topic: 'how a change is judged',
    confluent:
      'each structural difference between the schemas is looked up in a fixed table of difference types',
    steward:
      'each direction asks whether the reader accepts every document the writer may emit; the change kind only names the reason',
    why: 'a per-keyword table misses interactions: a field added where additionalProperties had a schema, `"foo": false` in a closed object, unevaluatedProperties closing an object through allOf',
  },
  {
    topic: 'default mode',
    confluent: 'BACKWARD',
    steward: 'full-transitive',
    why: 'stored documents never expire, so the newest reader meets every version ever written, and services deploy independently',
  },
  {
    topic: 'lenient: what a writer emits',
    confluent: 'open content models are read leniently',
    steward:
      'a writer emits only the fields it declares: named in properties, matched by patternProperties, or any name where additionalProperties is a schema; arrays are read strictly',
    why: 'a schema-valued additionalProperties is a map the writer fills, so a new field must agree with it; a tuple tail is a promise about positions, not fields',
  },
  {
    topic: 'renamed fields',
    confluent: 'a removal and an addition, each judged on its own',
    steward: '`field-renamed` breaks both directions under both semantics',
    why: 'the data moves to another name: readers of either name lose it in documents written with the other, even when every document stays valid',
  },
  {
    topic: 'oneOf',
    confluent: 'branches compared as a sum type',
    steward:
      "a oneOf is only passed when its branches are provably exclusive for the other version's documents (types, const/enum, a required discriminator)",
    why: 'a widened branch can make a document match two branches, which oneOf rejects',
  },
  {
    topic: 'keywords it cannot compare',
    confluent: 'compared as written or ignored, depending on the keyword',
    steward:
      '`unsupported`, which breaks every direction, whenever such a keyword differs (including unknown keywords)',
    why: 'no false passes: a check that cannot read a change must not approve it',
  },
  {
    topic: 'format',
    confluent: 'an annotation in some drafts',
    steward: 'a constraint: added narrows, removed widens, changed breaks both',
    why: "steward's contracts verify and the stores' validators assert formats",
  },
  {
    topic: 'validator semantics',
    confluent: 'its own JSON Schema library',
    steward:
      'Ajv 8 decides, per draft (draft-07, 2019-09, 2020-12): keywords beside a draft-07 `$ref` apply; where Ajv evaluates `contains` beside prefixItems or `unevaluatedProperties` beside dependentSchemas its own way, those schemas are compared as written',
    why: 'the documents are checked by Ajv (contracts verify, the versioned reader), so its reading is the one that breaks readers',
  },
  {
    topic: 'why a change breaks',
    confluent: 'the difference type and the path',
    steward:
      'the keyword path, the change kind and, where one is found, an example document the reader rejects and the writer accepts',
    why: '"no way to know why it fails" is the common complaint about schema registries',
  },
];
