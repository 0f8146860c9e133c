import type { ResolvedConfig } from '../config/resolved-config.js';
import { StewardError } from '../errors/steward-error.js';
import type { ResolvedReference } from '../integrity/reference.js';
import { type Ledger, openLedger } from '../ledger/ledger.js';
import { openSignals } from '../signals/open-signals.js';
import type { Signals, SignalWarning } from '../signals/signals.js';
import type { Collection } from '../stores/store.js';
import type { CommandContext } from './command.js';
import { actorFor } from './with-ledger.js';
import { withStores } from './with-stores.js';

/** What a command working on references gets: the ledger, collections by config name, signals. */
export interface IntegrityRun {
  readonly ledger: Ledger;
  collection(name: string): Collection;
  readonly signals: Signals;
}

/**
 * Opens every store the references need (their sources and targets, their `rehydrateFrom` unless
 * told not to, and the ledger's), the ledger and the configured signal sinks, runs `work`, and
 * closes the stores whatever happens. The `refs` commands share it, so they open things alike.
 */
export function withIntegrity<T>(
  ctx: CommandContext,
  config: ResolvedConfig,
  references: readonly ResolvedReference[],
  work: (run: IntegrityRun) => Promise<T>,
  options: { readonly rehydrateFrom?: boolean } = {},
): Promise<T> {
  const names = new Set([config.ledger.store]);
  for (const r of references)
    for (const c of [r.collection, r.target, options.rehydrateFrom === false ? undefined : r.rehydrateFrom])
      if (c) names.add(config.collections.get(c)!.store);
  return withStores(config, [...names], async (stores) => {
    const ledger = await openLedger(stores.get(config.ledger.store)!, {
      actor: actorFor(ctx.env),
      namespacePrefix: config.ledger.prefix,
    });
    const collection = (name: string) => {
      const c = config.collections.get(name);
      const store = c && stores.get(c.store);
      if (!c || !store)
        throw new StewardError('collection.unknown', `collection "${name}" is not open in this run`);
      return store.collection(c.spec);
    };
    return work({ ledger, collection, signals: openSignals(config.signals) });
  });
}

/** Sink failures go to stderr: they never change the exit code. */
export function noteWarnings(ctx: CommandContext, warnings: readonly SignalWarning[]): void {
  for (const w of warnings)
    ctx.output.note(`warning: ${w.sink} did not take ${w.events} event(s): ${w.message}`);
}
