import type { CollectionSpec } from '../stores/store.js';
import type { StoreConfig } from '../stores/store-config.js';
import type { ResolvedReference } from './resolve-references.js';

/** A collection after the config is resolved: its store and its spec for the seam. */
export interface ResolvedCollection {
  readonly name: string;
  readonly store: string;
  readonly spec: CollectionSpec;
  readonly versionField: string;
}

/**
 * The config after loading and validation: environment values read, paths made absolute,
 * defaults applied. Capabilities take this, never the raw file.
 */
export interface ResolvedConfig {
  /** Absolute path of the config file, or undefined for a config built in code. */
  readonly file: string | undefined;
  readonly stores: ReadonlyMap<string, StoreConfig>;
  readonly collections: ReadonlyMap<string, ResolvedCollection>;
  /** Declared soft references, by `<collection>.<field>`. */
  readonly references: ReadonlyMap<string, ResolvedReference>;
  readonly ledger: { readonly store: string; readonly prefix: string };
  /** Where the data contracts live: an absolute folder path. */
  readonly contracts: { readonly dir: string };
}
