import { StewardError } from '../errors/steward-error.js';
import type { StoreConfig } from './store-config.js';

/**
 * How long steward waits on each kind of store before it reports the store as not answering
 * (exit code 3). Every wait has a bound, so no command can hang on a store that accepts
 * connections and never answers. Pure: the config loader and the adapters read the same table.
 */
export const storeTimeoutDefaults = {
  sqlite: { busyTimeoutMs: 10_000 },
  mongodb: { connectTimeoutMs: 5000, requestTimeoutMs: 60_000 },
  dynamodb: { connectTimeoutMs: 3000, requestTimeoutMs: 10_000 },
} as const;

/** The longest timeout a config may set: one hour. */
export const maxTimeoutMs = 3_600_000;

/** The timeout settings of a store kind, as written in the config. */
export type TimeoutField<K extends StoreConfig['kind']> = keyof (typeof storeTimeoutDefaults)[K];

/** Why a timeout setting is not valid, or undefined when it is. Pure. */
export function timeoutProblem(value: unknown): string | undefined {
  if (typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= maxTimeoutMs)
    return undefined;
  return `must be a whole number of milliseconds from 1 to ${maxTimeoutMs} (got ${JSON.stringify(value)})`;
}

/**
 * A store's timeout: the configured value or the default. Throws `config.invalid` on a bad value,
 * for configs built in code that did not go through the config loader.
 */
export function storeTimeout<C extends StoreConfig>(config: C, field: TimeoutField<C['kind']>): number {
  const value = (config as unknown as Record<string, unknown>)[field as string];
  if (value === undefined)
    return (storeTimeoutDefaults[config.kind] as Record<string, number>)[field as string]!;
  const problem = timeoutProblem(value);
  if (problem) {
    const path = `stores.${config.name ?? '<store>'}.${String(field)}`;
    throw new StewardError('config.invalid', `${path} ${problem}`, { field });
  }
  return value as number;
}

/** How error messages name a store: `store "main" (what)` or just `what` when it has no name. */
export function storeLabel(name: string | undefined, what: string): string {
  return name === undefined ? what : `store "${name}" (${what})`;
}
