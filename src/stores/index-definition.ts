import { StewardError } from '../errors/steward-error.js';
import type { CollectionSpec, IndexDefinition, IndexInfo } from './store.js';

/** True when an existing index is the one asked for. */
export function sameIndex(existing: IndexInfo, wanted: IndexDefinition): boolean {
  return (
    existing.unique === (wanted.unique ?? false) &&
    existing.fields.length === wanted.fields.length &&
    existing.fields.every((field, i) => field === wanted.fields[i])
  );
}

/** `input.invalid` for an index name taken by another definition: idempotence, not replacement. */
export function indexConflict(
  spec: CollectionSpec,
  existing: IndexInfo,
  wanted: IndexDefinition,
): StewardError {
  const show = (i: { fields: readonly string[]; unique?: boolean }) =>
    `(${i.fields.join(', ')})${i.unique ? ' unique' : ''}`;
  return new StewardError(
    'input.invalid',
    `collection "${spec.name}" already has an index "${wanted.name}" on ${show(existing)}, not ${show(wanted)}: ` +
      'drop it first, or give the new index another name',
    { collection: spec.name, index: wanted.name },
  );
}
