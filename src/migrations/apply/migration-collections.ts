import type { CollectionOperation, Migration } from '../migration.js';

/** A `rename-field` operation. */
export type RenameField = Extract<CollectionOperation, { kind: 'rename-field' }>;
/** A `copy-collection` operation. */
export type CopyCollection = Extract<CollectionOperation, { kind: 'copy-collection' }>;

/**
 * The collections whose documents a migration rewrites, in a stable order: the ones `up` migrates,
 * then the ones only a `rename-field` touches. Each gets one pass of the canary and one of the rest.
 */
export function documentCollections(migration: Migration): string[] {
  const names = [...migration.collections];
  for (const op of migration.operations ?? [])
    if (op.kind === 'rename-field' && !names.includes(op.collection)) names.push(op.collection);
  return names;
}

/** Every collection a migration changes: its document collections and the targets of its copies. */
export function changedCollections(migration: Migration): string[] {
  const names = documentCollections(migration);
  for (const op of copiesOf(migration)) if (!names.includes(op.to)) names.push(op.to);
  return names;
}

/** The collections a migration reads or changes, copy sources included: what the plan names. */
export function touchedCollections(migration: Migration): string[] {
  const names = changedCollections(migration);
  for (const op of copiesOf(migration)) if (!names.includes(op.from)) names.push(op.from);
  return names;
}

/** The `rename-field` operations on one collection, in the order they are declared. */
export function renamesOf(migration: Migration, collection: string): RenameField[] {
  return (migration.operations ?? []).filter(
    (op): op is RenameField => op.kind === 'rename-field' && op.collection === collection,
  );
}

export function copiesOf(migration: Migration): CopyCollection[] {
  return (migration.operations ?? []).filter((op): op is CopyCollection => op.kind === 'copy-collection');
}
