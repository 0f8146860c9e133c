import type { DynamoCollectionMapping } from '../stores/store.js';
import type { DynamoStoreConfig, MongoStoreConfig, SqliteStoreConfig } from '../stores/store-config.js';

/**
 * A value read from an environment variable when the config is loaded, so secrets and
 * per-environment addresses never sit in the config file. Made by {@link env}.
 */
export interface EnvValue {
  readonly $env: string;
  readonly default?: string;
}

/** Reads a setting from an environment variable; a missing variable without a default is a config error naming it. */
export function env(name: string, fallback?: string): EnvValue {
  return fallback === undefined ? { $env: name } : { $env: name, default: fallback };
}

type Configurable<T> = { readonly [K in keyof T]: T[K] extends string ? T[K] | EnvValue : T[K] };

/** A store as written in the config: its connection fields may come from {@link env}. */
export type StoreSettings =
  | Configurable<SqliteStoreConfig>
  | Configurable<MongoStoreConfig>
  | (Configurable<Omit<DynamoStoreConfig, 'credentials'>> & {
      readonly credentials?: {
        readonly accessKeyId: string | EnvValue;
        readonly secretAccessKey: string | EnvValue;
      };
    });

/** A collection steward governs: which store holds it and how its documents are keyed. */
export interface CollectionSettings {
  /** Name of a store in `stores`. Default: the only store, when there is one. */
  readonly store?: string;
  /** The field holding each document's key. Default: `_id` on MongoDB, `id` elsewhere. */
  readonly key?: string;
  /** Name of the collection in the store, when it differs from steward's name for it. */
  readonly name?: string;
  /** The field each document stores its schema version in. Default: `schemaVersion`. */
  readonly versionField?: string;
  /** DynamoDB: the table and, in a single-table design, how this entity is told apart. */
  readonly dynamodb?: DynamoCollectionMapping;
}

/** A soft reference as written in the config. */
export interface ReferenceSettings {
  /** The collection whose key the field holds. */
  readonly target: string;
  /** The service that keeps the reference correct. */
  readonly owner?: string;
  /** What `refs repair` does when the target is missing. Default: `flag`. */
  readonly onMissing?: 'flag' | 'tombstone' | 'nullify' | 'rehydrate' | 'delete-dependent';
  /** Count a null or absent reference as an orphan. Default: false. */
  readonly required?: boolean;
  /** Revalidate a reference not checked for this long: "12h", "7d". */
  readonly revalidateAfter?: string;
  /** For `rehydrate`: the collection holding the source of truth for missing targets. */
  readonly rehydrateFrom?: string;
}

/** steward.config.ts's shape. Later capabilities add contracts, references and derived state. */
export interface StewardConfig {
  /** The stores steward connects to, by name. */
  readonly stores: { readonly [name: string]: StoreSettings };
  /** The collections steward governs, by name. */
  readonly collections?: { readonly [name: string]: CollectionSettings };
  /** Declared soft references, keyed `<collection>.<field>` (see `resolve-references.ts`). */
  readonly references?: { readonly [collectionDotField: string]: ReferenceSettings };
  /** Where steward keeps its ledger (audit log, leases, checkpoints). Default: the first store. */
  readonly ledger?: { readonly store?: string; readonly prefix?: string };
  /** Where the data contracts live, relative to the config file. Default: `contracts`. */
  readonly contracts?: { readonly dir?: string };
}

/**
 * Declares a steward config. It returns its argument unchanged: its value is in the types, which
 * let an editor complete the right connection fields for each store kind.
 */
export function defineConfig<const T extends StewardConfig>(config: T): T {
  return config;
}
