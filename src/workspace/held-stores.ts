import type { ResolvedConfig } from '../config/resolved-config.js';
import { openStore } from '../stores/open-store.js';
import type { Store } from '../stores/store.js';

/**
 * Stores kept open for a long-lived process (`steward serve`): each store of the config is
 * opened on first use and shared by every entry point called with {@link HeldStores.config},
 * until `close()`. Without it every call opens and closes its stores (`withStores`), which on
 * MongoDB is a new client, connection pool and handshake per request.
 *
 * Sharing one handle is safe for the adapters steward has: a MongoDB or DynamoDB client serves
 * concurrent calls, and better-sqlite3 runs each statement and each write transaction
 * synchronously, so two calls never interleave inside one.
 */
export interface HeldStores {
  /** A copy of the config whose entry points use the held stores instead of opening their own. */
  readonly config: ResolvedConfig;
  /** The stores opened so far. */
  readonly pool: StorePool;
  /** Closes every store opened so far; calls that still run with `config` then fail. */
  close(): Promise<void>;
}

/** The held stores of a config made by {@link holdStores}, found by `withStores`. */
const heldByConfig = new WeakMap<ResolvedConfig, StorePool>();

/**
 * Holds the stores of `config` open for the life of a server: returns a config to call entry
 * points with, and `close` for shutdown. The given config itself is left as it was.
 */
export function holdStores(config: ResolvedConfig): HeldStores {
  const held: ResolvedConfig = { ...config };
  const pool = new StorePool(held);
  heldByConfig.set(held, pool);
  return { config: held, pool, close: () => pool.close() };
}

/** The pool of a config made by {@link holdStores}, if it is one. */
export function heldStoresOf(config: ResolvedConfig): StorePool | undefined {
  return heldByConfig.get(config);
}

/** Stores opened once each, on first use; a failed open is forgotten so the next call retries. */
export class StorePool {
  private readonly opened = new Map<string, Promise<Store>>();
  private closed = false;

  constructor(private readonly config: ResolvedConfig) {}

  /** The open store of this name (the config must declare it: `withStores` checks first). */
  get(name: string): Promise<Store> {
    if (this.closed) return Promise.reject(new Error('the server is shutting down: its stores are closed'));
    let store = this.opened.get(name);
    if (!store) {
      store = openStore(this.config.stores.get(name)!);
      store.catch(() => this.opened.delete(name));
      this.opened.set(name, store);
    }
    return store;
  }

  /** How many stores are open now (for tests of the server's shutdown). */
  get size(): number {
    return this.opened.size;
  }

  async close(): Promise<void> {
    this.closed = true;
    const stores = [...this.opened.values()];
    this.opened.clear();
    await Promise.allSettled(stores.map(async (s) => (await s).close()));
  }
}
