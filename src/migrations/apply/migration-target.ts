import type { ResolvedConfig } from '../../config/resolved-config.js';
import { StewardError } from '../../errors/steward-error.js';
import type { Collection, CollectionSpec, Store } from '../../stores/store.js';
import type { Migration } from '../migration.js';
import { copiesOf, touchedCollections } from './migration-collections.js';

/** One collection apply or rollback works on: the seam handle and the field holding versions. */
export interface TargetCollection {
  /** steward's name for it (the config's key, or an operation's new collection). */
  readonly name: string;
  readonly spec: CollectionSpec;
  readonly versionField: string;
  readonly handle: Collection;
}

/**
 * The store the migrations change, and how to reach their collections by steward's names. One
 * store per plan: the plan hash names it, and approvals are given for changes to it.
 */
export interface MigrationTarget {
  /** The store's name in the config. */
  readonly storeName: string;
  readonly store: Store;
  /** A collection by name; `collection.unknown` when neither the config nor an operation has it. */
  collection(name: string): TargetCollection;
}

/**
 * The target of a set of migrations from the config: the store of their collections, and, for a
 * `copy-collection` whose `to` is not in the config, a collection of that name keyed like its
 * source. Throws `usage` when the migrations' collections live in more than one store.
 */
export function migrationTarget(
  config: ResolvedConfig,
  migrations: readonly Migration[],
  openStore: (name: string) => Store,
): MigrationTarget {
  const storeName = targetStoreName(config, migrations);
  const store = openStore(storeName);
  const copies = new Map<string, string>();
  for (const m of migrations) for (const op of copiesOf(m)) copies.set(op.to, op.from);
  const cache = new Map<string, TargetCollection>();
  const collection = (name: string): TargetCollection => {
    const cached = cache.get(name);
    if (cached) return cached;
    const configured = config.collections.get(name);
    const source = copies.get(name);
    let found: TargetCollection | undefined;
    if (configured)
      found = {
        name,
        spec: configured.spec,
        versionField: configured.versionField,
        handle: store.collection(configured.spec),
      };
    else if (source !== undefined) {
      const from = collection(source);
      const spec = { name, keyField: from.spec.keyField };
      found = { name, spec, versionField: from.versionField, handle: store.collection(spec) };
    }
    if (!found)
      throw new StewardError(
        'collection.unknown',
        `a migration names collection "${name}", which is not in ${config.file ?? 'the config'}'s collections`,
        { collection: name },
      );
    cache.set(name, found);
    return found;
  };
  return { storeName, store, collection };
}

/** The one store holding every collection the migrations rewrite or copy from. */
export function targetStoreName(config: ResolvedConfig, migrations: readonly Migration[]): string {
  const names = new Set<string>();
  for (const m of migrations)
    for (const name of touchedCollections(m)) {
      const c = config.collections.get(name);
      if (c) names.add(c.store);
    }
  if (names.size > 1)
    throw new StewardError(
      'usage',
      `the pending migrations change collections in ${names.size} stores (${[...names].join(', ')}); ` +
        'one plan changes one store: plan, apply or roll back the migrations of each store separately, ' +
        'up to the last one in a store with --to <id>',
      { stores: [...names] },
    );
  const [name] = names;
  return name ?? config.ledger.store;
}
