import type { ResolvedConfig } from '../config/resolved-config.js';
import { flagNotSet } from '../flags/flag-errors.js';
import type { FlagChange, ShapeFlag } from '../flags/flag-rules.js';
import { listShapeFlags, readShapeFlag, shapeFlagHistory } from '../flags/read-shape-flag.js';
import { type SetShapeFlagResult, setShapeFlag } from '../flags/set-shape-flag.js';
import type { Store } from '../stores/store.js';
import { actorOf, type RunOptions } from './run-options.js';
import { withStores } from './with-stores.js';
import { withWorkspace } from './workspace.js';

/** Every shape flag that was set, with its value in effect. Reads the ledger's store; creates nothing. */
export function flagsList(config: ResolvedConfig): Promise<ShapeFlag[]> {
  return withLedgerStore(config, (store) => listShapeFlags(store, { namespacePrefix: config.ledger.prefix }));
}

/** One flag's value in effect (null before a change took effect), and with `history` every change. */
export interface FlagsGetResult {
  readonly name: string;
  readonly flag: ShapeFlag | null;
  readonly history?: FlagChange[];
}

/**
 * One flag's value, and with `history` every change of it, oldest first. `input.invalid` when
 * the flag was never set. Reads the ledger's store; creates nothing.
 */
export async function flagsGet(
  config: ResolvedConfig,
  input: { readonly name: string; readonly history?: boolean },
): Promise<FlagsGetResult> {
  const { name } = input;
  const { flag, history } = await withLedgerStore(config, async (store) => {
    const options = { namespacePrefix: config.ledger.prefix };
    const flag = await readShapeFlag(store, name, options);
    return { flag, history: input.history ? await shapeFlagHistory(store, name, options) : undefined };
  });
  if (!flag && !history?.length) throw flagNotSet(name);
  return { name, flag: flag ?? null, ...(history ? { history } : {}) };
}

/** A change of a flag: its new value, why, and (only when it is first set) the values it may take. */
export interface FlagsSetInput {
  readonly name: string;
  readonly value: string;
  readonly reason: string;
  readonly allowed?: readonly string[];
}

/**
 * Changes a flag: a new generation and an audit record `flag.set` (from, to, reason, who). A value
 * outside the allowed set is `input.invalid` and writes nothing; losing a race with another setter
 * is `ledger.conflict` (read it again and retry).
 */
export function flagsSet(
  config: ResolvedConfig,
  input: FlagsSetInput,
  options: RunOptions = {},
): Promise<SetShapeFlagResult> {
  const actor = actorOf(options);
  return withWorkspace(config, {}, actor, ({ ledger }) => setShapeFlag(ledger, { ...input, actor }));
}

/** Flags live in the ledger's store; reading them opens only that store and creates nothing. */
function withLedgerStore<T>(config: ResolvedConfig, work: (store: Store) => Promise<T>): Promise<T> {
  return withStores(config, [config.ledger.store], (stores) => work(stores.get(config.ledger.store)!));
}
