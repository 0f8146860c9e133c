import type { ResolvedConfig } from '../../config/resolved-config.js';
import type { ResolvedReference } from '../../integrity/reference.js';
import type { RepairOptions } from '../../integrity/repair/repair-context.js';
import { repairReferences } from '../../integrity/repair/repair-references.js';
import type { RepairReport } from '../../integrity/repair/repair-result.js';
import { countIncidents } from '../../ledger/incidents.js';
import type { Ledger } from '../../ledger/ledger.js';
import type { SignalWarning } from '../../signals/signals.js';
import { type ProgressTick, progressTick } from '../progress-tick.js';
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
  options: RunOptions<ProgressTick> = {},
): Promise<RefsRepairResult> {
  const references = selectReferences(input.references ?? [], config);
  const actor = actorOf(options);
  const dryRun = input.dryRun === true;
  return withIntegrity(
    config,
    references,
    actor,
    async (run) => {
      const onBatch = await batchTicks(run.ledger, references, options);
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
          ...(onBatch ? { onBatch } : {}),
        },
      );
      return { ...report, warnings: await run.signals.flush() };
    },
    { metrics: options.metrics },
  );
}

/**
 * Progress per reference, when anyone listens: incidents handled of those open when the run began
 * (delete-dependent repairs, which plan all deletions first, report only at the end).
 */
async function batchTicks(
  ledger: Ledger,
  references: readonly ResolvedReference[],
  options: RunOptions<ProgressTick>,
): Promise<((reference: string, done: number) => void) | undefined> {
  const listener = options.onProgress;
  if (!listener) return undefined;
  const incidents = await ledger.openCollection('incidents');
  const totals = new Map<string, number>();
  for (const r of references)
    totals.set(r.name, await countIncidents(incidents, { subject: r.name, status: 'open' }));
  return (reference, done) => listener(progressTick(reference, done, totals.get(reference), false));
}
