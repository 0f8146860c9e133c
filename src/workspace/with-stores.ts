import type { ResolvedConfig } from '../config/resolved-config.js';
import { StewardError } from '../errors/steward-error.js';
import { openStore } from '../stores/open-store.js';
import type { Store } from '../stores/store.js';
import { heldStoresOf } from './held-stores.js';

/**
 * Opens the named stores, runs `work`, and always closes them, also when `work` throws.
 * Stores open lazily by kind, so a job on SQLite never loads the MongoDB driver. With a config
 * from `holdStores` (the server's), the held stores are used and left open.
 */
export async function withStores<T>(
  config: ResolvedConfig,
  names: readonly string[],
  work: (stores: ReadonlyMap<string, Store>) => Promise<T>,
): Promise<T> {
  const held = heldStoresOf(config);
  const opened = new Map<string, Store>();
  try {
    for (const name of names) {
      const storeConfig = config.stores.get(name);
      if (!storeConfig)
        throw new StewardError('usage', `no store named "${name}" in ${config.file ?? 'the config'}`);
      opened.set(name, await (held ? held.get(name) : openStore(storeConfig)));
    }
    return await work(opened);
  } finally {
    if (!held) await Promise.allSettled([...opened.values()].map((s) => s.close()));
  }
}

/** The stores holding these collections of the config, each once, in order; unknown names are skipped. */
export function storesOf(config: ResolvedConfig, collections: readonly (string | undefined)[]): string[] {
  const names = new Set<string>();
  for (const name of collections) {
    const store = name === undefined ? undefined : config.collections.get(name)?.store;
    if (store) names.add(store);
  }
  return [...names];
}
