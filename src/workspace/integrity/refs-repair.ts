import type { ResolvedConfig } from '../../config/resolved-config.js';
import type { RepairOptions } from '../../integrity/repair/repair-context.js';
import { repairReferences } from '../../integrity/repair/repair-references.js';
import type { RepairReport } from '../../integrity/repair/repair-result.js';
import type { SignalWarning } from '../../signals/signals.js';
import { actorOf, type RunOptions } from '../run-options.js';
import { selectReferences } from './select-references.js';
import { withIntegrity } from './with-integrity.js';

/** Which references to repair, and how. */
export interface RefsRepairInput extends RepairOptions {
  /** Names of declared references; default every declared one. */
  readonly references?: readonly string[];
}

/** The repair report, and the signal sinks that did not take its events. */
export type RefsRepairResult = RepairReport & { readonly warnings: SignalWarning[] };

/**
 * Applies each reference's `onMissing` policy to its open orphan and missing-required incidents:
 * flag, tombstone, nullify, rehydrate, or delete-dependent (only with valid approvals of the exact
 * plan). Every write saves a before-image first, is conditional on the reference still holding
 * the missing key, is audited and closes its incident. Run it again to resume; a second run
 * changes nothing. A dry run decides and reports, writes nothing and sends no event. Each
 * reference repaired is a run with an id (`refsUndo` puts it back). When a reference's circuit
 * breaker trips, the whole run is refused (`refusedByBreaker`) unless `forceBreaker` with valid
 * approvals of the override plan.
 */
export function refsRepair(
  config: ResolvedConfig,
  input: RefsRepairInput = {},
  options: RunOptions = {},
): Promise<RefsRepairResult> {
  const references = selectReferences(input.references ?? [], config);
  const actor = actorOf(options);
  const dryRun = input.dryRun === true;
  return withIntegrity(config, references, actor, async (run) => {
    const report = await repairReferences(
      {
        ledger: run.ledger,
        collection: run.collection,
        approvers: config.approvers,
        approvalPolicies: config.approvalPolicies,
        actor,
        ...(dryRun ? {} : { onEvent: run.signals.listener }),
      },
      references,
      {
        dryRun,
        ...(input.batchSize === undefined ? {} : { batchSize: input.batchSize }),
        forceBreaker: input.forceBreaker === true,
      },
    );
    return { ...report, warnings: await run.signals.flush() };
  });
}
