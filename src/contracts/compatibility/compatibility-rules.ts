import type { ChangeKind, SchemaChange } from './schema-change.js';

/**
 * The compatibility rules: for each kind of schema change, whether it breaks **backward**
 * compatibility (readers of the new schema can no longer read documents written with the old) and
 * **forward** compatibility (readers of the old schema can no longer read documents written with
 * the new), under each of two semantics:
 *
 * - `strict`: a schema stands for exactly the set of documents it accepts, as Confluent's STRICT
 *   policy. An open object accepts any undeclared field of any type, so adding an optional field to
 *   an open object breaks backward compatibility (old documents may carry that name with another
 *   type) and removing one breaks forward compatibility (new writers may reuse the name).
 * - `lenient`: writers emit only the fields their schema declares, as Confluent's LENIENT policy.
 *   Undeclared fields are assumed absent from documents, so openness only matters to readers.
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
  /** The openness of the object the row is for; see `SchemaChange.object`. */
  readonly object: 'any' | 'open' | 'closed';
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
    strict: { backward: 'breaks', forward: 'ok' },
    lenient: { backward: 'ok', forward: 'ok' },
    why: 'old documents may already carry the field with another type, unless writers emit only declared fields',
  },
  {
    kind: 'field-added-optional',
    object: 'closed',
    strict: { backward: 'ok', forward: 'breaks' },
    lenient: { backward: 'ok', forward: 'breaks' },
    why: 'old readers of a closed object reject the new field',
  },
  {
    kind: 'field-added-required',
    object: 'open',
    strict: { backward: 'breaks', forward: 'ok' },
    lenient: { backward: 'breaks', forward: 'ok' },
    why: 'old documents lack the field the new schema requires',
  },
  {
    kind: 'field-added-required',
    object: 'closed',
    strict: { backward: 'breaks', forward: 'breaks' },
    lenient: { backward: 'breaks', forward: 'breaks' },
    why: 'old documents lack the field, and old readers of a closed object reject it',
  },
  {
    kind: 'field-removed',
    object: 'open',
    strict: { backward: 'ok', forward: 'breaks' },
    lenient: { backward: 'ok', forward: 'ok' },
    why: 'new writers of an open object may reuse the name with another type, unless writers emit only declared fields',
  },
  {
    kind: 'field-removed',
    object: 'closed',
    strict: { backward: 'breaks', forward: 'ok' },
    lenient: { backward: 'breaks', forward: 'ok' },
    why: 'new readers of a closed object reject old documents that carry the field',
  },
  {
    kind: 'required-field-removed',
    object: 'open',
    strict: { backward: 'ok', forward: 'breaks' },
    lenient: { backward: 'ok', forward: 'breaks' },
    why: 'old readers require a field new writers no longer emit',
  },
  {
    kind: 'required-field-removed',
    object: 'closed',
    strict: { backward: 'breaks', forward: 'breaks' },
    lenient: { backward: 'breaks', forward: 'breaks' },
    why: 'old readers require the field, and new readers of a closed object reject documents that carry it',
  },
  {
    kind: 'field-renamed',
    object: 'any',
    strict: { backward: 'breaks', forward: 'breaks' },
    lenient: { backward: 'breaks', forward: 'breaks' },
    why: 'the data moves to another name, so readers of either name lose it in documents written with the other',
  },
  {
    kind: 'field-made-required',
    object: 'any',
    strict: { backward: 'breaks', forward: 'ok' },
    lenient: { backward: 'breaks', forward: 'ok' },
    why: 'old documents may lack the field',
  },
  {
    kind: 'field-made-optional',
    object: 'any',
    strict: { backward: 'ok', forward: 'breaks' },
    lenient: { backward: 'ok', forward: 'breaks' },
    why: 'old readers require a field new documents may lack',
  },
  {
    kind: 'type-widened',
    object: 'any',
    strict: { backward: 'ok', forward: 'breaks' },
    lenient: { backward: 'ok', forward: 'breaks' },
    why: 'old readers do not accept the added types',
  },
  {
    kind: 'type-narrowed',
    object: 'any',
    strict: { backward: 'breaks', forward: 'ok' },
    lenient: { backward: 'breaks', forward: 'ok' },
    why: 'old documents may hold the types no longer allowed',
  },
  {
    kind: 'type-changed',
    object: 'any',
    strict: { backward: 'breaks', forward: 'breaks' },
    lenient: { backward: 'breaks', forward: 'breaks' },
    why: 'neither type contains the other',
  },
  {
    kind: 'enum-widened',
    object: 'any',
    strict: { backward: 'ok', forward: 'breaks' },
    lenient: { backward: 'ok', forward: 'breaks' },
    why: 'old readers do not accept the added values',
  },
  {
    kind: 'enum-narrowed',
    object: 'any',
    strict: { backward: 'breaks', forward: 'ok' },
    lenient: { backward: 'breaks', forward: 'ok' },
    why: 'old documents may hold the removed values',
  },
  {
    kind: 'format-added',
    object: 'any',
    strict: { backward: 'breaks', forward: 'ok' },
    lenient: { backward: 'breaks', forward: 'ok' },
    why: 'old documents may not match the new format',
  },
  {
    kind: 'format-removed',
    object: 'any',
    strict: { backward: 'ok', forward: 'breaks' },
    lenient: { backward: 'ok', forward: 'breaks' },
    why: 'old readers expect the format new writers no longer promise',
  },
  {
    kind: 'format-changed',
    object: 'any',
    strict: { backward: 'breaks', forward: 'breaks' },
    lenient: { backward: 'breaks', forward: 'breaks' },
    why: 'values of one format are not values of the other',
  },
  {
    kind: 'bound-tightened',
    object: 'any',
    strict: { backward: 'breaks', forward: 'ok' },
    lenient: { backward: 'breaks', forward: 'ok' },
    why: 'old documents may lie outside the new bound',
  },
  {
    kind: 'bound-relaxed',
    object: 'any',
    strict: { backward: 'ok', forward: 'breaks' },
    lenient: { backward: 'ok', forward: 'breaks' },
    why: 'new documents may lie outside the old bound',
  },
  {
    kind: 'pattern-changed',
    object: 'any',
    strict: { backward: 'breaks', forward: 'breaks' },
    lenient: { backward: 'breaks', forward: 'breaks' },
    why: 'steward cannot tell whether one pattern admits the strings of the other',
  },
  {
    kind: 'closed-to-open',
    object: 'any',
    strict: { backward: 'ok', forward: 'breaks' },
    lenient: { backward: 'ok', forward: 'ok' },
    why: 'new writers may add undeclared fields old readers reject, unless writers emit only declared fields',
  },
  {
    kind: 'open-to-closed',
    object: 'any',
    strict: { backward: 'breaks', forward: 'ok' },
    lenient: { backward: 'ok', forward: 'ok' },
    why: 'old documents may carry undeclared fields, unless writers emit only declared fields',
  },
  {
    kind: 'unsupported',
    object: 'any',
    strict: { backward: 'breaks', forward: 'breaks' },
    lenient: { backward: 'breaks', forward: 'breaks' },
    why: 'steward cannot compare this keyword, so it fails closed',
  },
];

/** The rows that decide `change`: one row, or the open and closed rows for a constrained object. */
export function rulesFor(change: SchemaChange): CompatibilityRule[] {
  const rows = compatibilityRules.filter((r) => r.kind === change.kind);
  const any = rows.filter((r) => r.object === 'any');
  if (any.length > 0) return any;
  const object = change.object ?? 'open';
  return rows.filter((r) => object === 'constrained' || r.object === object);
}

/** True when `change` breaks compatibility in `direction` under `semantics`. */
export function isBreaking(change: SchemaChange, direction: Direction, semantics: Semantics): boolean {
  return rulesFor(change).some((r) => r[semantics][direction] === 'breaks');
}
