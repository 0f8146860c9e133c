import type { ResolvedConfig } from '../config/resolved-config.js';
import { StewardError } from '../errors/steward-error.js';
import { type Ledger, openLedger } from '../ledger/ledger.js';
import type { Collection, Store } from '../stores/store.js';
import { storesOf, withStores } from './with-stores.js';

/**
 * What a job runs with: the config, the stores it needs, opened, and the ledger in the ledger's
 * store. The one composition root of steward: every entry point that touches the ledger opens it
 * here, so the CLI, the server and a script open things alike.
 */
export interface Workspace {
  readonly config: ResolvedConfig;
  /** Who acts, as the ledger records it. */
  readonly actor: string;
  readonly ledger: Ledger;
  /** A store this run opened, by config name; a usage error for one it did not. */
  store(name: string): Store;
  /** A collection the config declares, in its store; `collection.unknown` when its store is not open. */
  collection(name: string): Collection;
}

/** Which stores a job needs besides the ledger's: those of these collections, and these by name. */
export interface WorkspaceNeeds {
  readonly collections?: readonly (string | undefined)[];
  readonly stores?: readonly string[];
}

/**
 * Opens the ledger's store and the stores the job needs, then the ledger; runs `work`; always
 * closes the stores, also when `work` throws. Stores open lazily by kind, so a job on SQLite never
 * loads the MongoDB driver.
 */
export function withWorkspace<T>(
  config: ResolvedConfig,
  needs: WorkspaceNeeds,
  actor: string,
  work: (workspace: Workspace) => Promise<T>,
): Promise<T> {
  const names = new Set([
    config.ledger.store,
    ...storesOf(config, needs.collections ?? []),
    ...(needs.stores ?? []),
  ]);
  return withStores(config, [...names], async (stores) => {
    const ledger = await openLedger(stores.get(config.ledger.store)!, {
      actor,
      namespacePrefix: config.ledger.prefix,
    });
    return work({ config, actor, ledger, ...handles(config, stores) });
  });
}

/** The store and collection lookups of a workspace over the opened stores. */
function handles(config: ResolvedConfig, stores: ReadonlyMap<string, Store>) {
  const store = (name: string): Store => {
    const opened = stores.get(name);
    if (!opened)
      throw new StewardError('usage', `no store named "${name}" in ${config.file ?? 'the config'}`);
    return opened;
  };
  const collection = (name: string): Collection => {
    const c = config.collections.get(name);
    const opened = c && stores.get(c.store);
    if (!c || !opened)
      throw new StewardError('collection.unknown', `collection "${name}" is not open in this run`);
    return opened.collection(c.spec);
  };
  return { store, collection };
}
