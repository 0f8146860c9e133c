import { loadConfig } from '../config/load-config.js';
import type { ResolvedConfig } from '../config/resolved-config.js';
import { StewardError } from '../errors/steward-error.js';
import { openStore } from '../stores/open-store.js';
import type { Store } from '../stores/store.js';
import type { CommandContext } from './command.js';

/** Loads the config named by --config, or found in the working directory. */
export function configFor(ctx: CommandContext): Promise<ResolvedConfig> {
  const path = ctx.options.config;
  return loadConfig({ cwd: ctx.cwd, env: ctx.env, ...(typeof path === 'string' ? { path } : {}) });
}

/**
 * Opens the named stores, runs `work`, and always closes them, also when `work` throws.
 * Stores open lazily by kind, so a command on SQLite never loads the MongoDB driver.
 */
export async function withStores<T>(
  config: ResolvedConfig,
  names: readonly string[],
  work: (stores: ReadonlyMap<string, Store>) => Promise<T>,
): Promise<T> {
  const opened = new Map<string, Store>();
  try {
    for (const name of names) {
      const storeConfig = config.stores.get(name);
      if (!storeConfig)
        throw new StewardError('usage', `no store named "${name}" in ${config.file ?? 'the config'}`);
      opened.set(name, await openStore(storeConfig));
    }
    return await work(opened);
  } finally {
    await Promise.allSettled([...opened.values()].map((s) => s.close()));
  }
}

/** Reads an integer option, with a usage error naming the option when it is not one. */
export function intOption(ctx: CommandContext, name: string, fallback: number, min = 0): number {
  const raw = ctx.options[name];
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (typeof raw !== 'string' || !Number.isInteger(value) || value < min) {
    throw new StewardError('usage', `--${name} must be an integer of at least ${min} (got "${String(raw)}")`);
  }
  return value;
}
