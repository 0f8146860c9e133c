import { type Clock, systemClock } from '../ledger/clock.js';
import { type Ledger, ledgerCollectionIn } from '../ledger/ledger.js';
import type { Collection, Store } from '../stores/store.js';
import { listFlagGenerations } from './flag-generations.js';
import {
  checkFlagName,
  defaultPendingTimeoutMs,
  type FlagChange,
  flagHistory,
  type ShapeFlag,
  shapeFlagOf,
} from './flag-rules.js';

/**
 * Where flags are read from: a ledger, or just the store it lives in (a service needs no ledger
 * of its own to read a flag; pass the ledger's prefix if it is not the default).
 */
export type FlagSource = Ledger | Store;

export interface FlagReadOptions {
  /** The ledger prefix, when reading from a store. Default `steward_`. */
  readonly namespacePrefix?: string;
  /** For the state of changes in history. Default `Date.now`. */
  readonly clock?: Clock;
  readonly pendingTimeoutMs?: number;
}

/**
 * The value of a flag in effect now, or undefined when it was never set. One filtered scan of
 * the ledger's flags collection and no writes: nothing is created, even on a store without a
 * ledger. For a read per request, wrap it in `shapeFlagCache`.
 */
export async function readShapeFlag(
  source: FlagSource,
  name: string,
  options: FlagReadOptions = {},
): Promise<ShapeFlag | undefined> {
  checkFlagName(name);
  return shapeFlagOf(await listFlagGenerations(flagsCollection(source, options), name));
}

/** Every change of a flag, oldest first, with the state each is in (applied, pending, abandoned). */
export async function shapeFlagHistory(
  source: FlagSource,
  name: string,
  options: FlagReadOptions = {},
): Promise<FlagChange[]> {
  checkFlagName(name);
  const generations = await listFlagGenerations(flagsCollection(source, options), name);
  const now = (options.clock ?? systemClock)();
  return flagHistory(generations, now, options.pendingTimeoutMs ?? defaultPendingTimeoutMs);
}

/** Every flag that was set, with its value in effect, by name. */
export async function listShapeFlags(
  source: FlagSource,
  options: FlagReadOptions = {},
): Promise<ShapeFlag[]> {
  const byName = new Map<string, Awaited<ReturnType<typeof listFlagGenerations>>>();
  for (const g of await listFlagGenerations(flagsCollection(source, options))) {
    byName.set(g.name, [...(byName.get(g.name) ?? []), g]);
  }
  return [...byName.values()].flatMap((generations) => shapeFlagOf(generations) ?? []);
}

function flagsCollection(source: FlagSource, options: FlagReadOptions): Collection {
  if ('audit' in source) return source.collection('flags');
  return ledgerCollectionIn(source, 'flags', options.namespacePrefix);
}
