import type { ResolvedConfig } from '../../config/resolved-config.js';
import type { ResolvedDerived } from '../../derived/derived.js';
import type { Collection } from '../../stores/store.js';
import { type Workspace, withWorkspace } from '../workspace.js';

/** What a job on derived state gets: a workspace and each declaration's two collections. */
export interface DerivedWorkspace extends Workspace {
  /** The derived collection (`target`) and the source collection of a declaration. */
  handles(derived: ResolvedDerived): { target: Collection; source: Collection };
}

/** Opens the ledger's store and every store the declarations read and write, runs `work`, closes them. */
export function withDerived<T>(
  config: ResolvedConfig,
  selected: readonly ResolvedDerived[],
  actor: string,
  work: (run: DerivedWorkspace) => Promise<T>,
): Promise<T> {
  const collections = selected.flatMap((d) => [d.collection, d.source.collection]);
  return withWorkspace(config, { collections }, actor, (workspace) =>
    work({
      ...workspace,
      handles: (d) => ({
        target: workspace.collection(d.collection),
        source: workspace.collection(d.source.collection),
      }),
    }),
  );
}
