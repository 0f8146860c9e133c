import type { ResolvedConfig } from '../../config/resolved-config.js';
import type { ResolvedReference } from '../../integrity/reference.js';
import { openSignals } from '../../signals/open-signals.js';
import type { Signals } from '../../signals/signals.js';
import { type Workspace, withWorkspace } from '../workspace.js';

/** What a job on references gets: a workspace and the configured signal sinks. */
export interface IntegrityWorkspace extends Workspace {
  readonly signals: Signals;
}

/**
 * Opens every store the references need (their sources and targets, their `rehydrateFrom` unless
 * told not to, and the ledger's), the ledger and the configured signal sinks, runs `work`, and
 * closes the stores whatever happens. The `refs` entry points share it, so they open things alike.
 */
export function withIntegrity<T>(
  config: ResolvedConfig,
  references: readonly ResolvedReference[],
  actor: string,
  work: (run: IntegrityWorkspace) => Promise<T>,
  options: { readonly rehydrateFrom?: boolean } = {},
): Promise<T> {
  const collections = references.flatMap((r) => [
    r.collection,
    r.target,
    options.rehydrateFrom === false ? undefined : r.rehydrateFrom,
  ]);
  return withWorkspace(config, { collections }, actor, (workspace) =>
    work({ ...workspace, signals: openSignals(config.signals) }),
  );
}
