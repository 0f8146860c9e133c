import type { ResolvedConfig } from '../../config/resolved-config.js';
import { type RehydrationResult, workRehydrations } from '../../integrity/guard/work-rehydrations.js';
import type { RepairOptions } from '../../integrity/repair/repair-context.js';
import type { SignalWarning } from '../../signals/signals.js';
import { actorOf, type RunOptions } from '../run-options.js';
import { selectReferences } from './select-references.js';
import { withIntegrity } from './with-integrity.js';

/** What working the rehydration queue did: one result per request, counted by outcome. */
export interface RefsRehydrateResult {
  readonly dryRun: boolean;
  readonly results: RehydrationResult[];
  readonly counts: Record<string, number>;
  readonly warnings: SignalWarning[];
}

/**
 * Works the queue of missing targets that guarded reads met: when the reference declares
 * `rehydrateFrom` and the key is there, the target is copied back (insert only, never
 * overwriting); otherwise the reading document is recorded as an orphan incident. Every request
 * is marked done and audited; a dry run writes nothing.
 */
export function refsRehydrate(
  config: ResolvedConfig,
  input: RepairOptions = {},
  options: RunOptions = {},
): Promise<RefsRehydrateResult> {
  const references = selectReferences([], config);
  const actor = actorOf(options);
  const dryRun = input.dryRun === true;
  return withIntegrity(config, references, actor, async (run) => {
    const results = await workRehydrations(
      {
        ledger: run.ledger,
        collection: run.collection,
        actor,
        ...(dryRun ? {} : { onEvent: run.signals.listener }),
      },
      config.references,
      { dryRun, ...(input.batchSize === undefined ? {} : { batchSize: input.batchSize }) },
    );
    const warnings = await run.signals.flush();
    const counts: Record<string, number> = {};
    for (const r of results) counts[r.outcome] = (counts[r.outcome] ?? 0) + 1;
    return { dryRun, results, counts, warnings };
  });
}
