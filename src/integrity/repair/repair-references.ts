import type { ResolvedReference } from '../reference.js';
import type { RepairContext, RepairOptions } from './repair-context.js';
import { repairReference } from './repair-reference.js';
import { addCounts, type ReferenceRepair, type RepairReport } from './repair-result.js';

/**
 * `steward refs repair`'s work: repairs each reference in turn (see {@link repairReference}) and
 * sums the outcomes. Returns results per incident, never throwing for an incident that could not
 * be repaired; it throws only when a store or the ledger fails.
 */
export async function repairReferences(
  ctx: RepairContext,
  references: readonly ResolvedReference[],
  options: RepairOptions = {},
): Promise<RepairReport> {
  const results: ReferenceRepair[] = [];
  for (const reference of references) results.push(await repairReference(ctx, reference, options));
  return {
    dryRun: options.dryRun === true,
    references: results,
    counts: addCounts(results.map((r) => r.counts)),
  };
}
