import { type BreakerCheck, checkBreaker } from '../breaker/check-breaker.js';
import type { ResolvedReference } from '../reference.js';
import type { RepairContext, RepairOptions } from './repair-context.js';
import { repairReference } from './repair-reference.js';
import { addCounts, countStatuses, type ReferenceRepair, type RepairReport } from './repair-result.js';

/**
 * `steward refs repair`'s work: checks each reference's circuit breaker first (see
 * `integrity/breaker/`), then repairs each reference in turn (see {@link repairReference}) and
 * sums the outcomes. When a breaker trips and is not overridden (`forceBreaker` with valid
 * approvals of its plan), the whole run is refused before anything is written: the report says
 * why, with the figures, and `refusedByBreaker` is set. Returns results per incident, never
 * throwing for an incident that could not be repaired; it throws only when a store or the ledger
 * fails.
 */
export async function repairReferences(
  ctx: RepairContext,
  references: readonly ResolvedReference[],
  options: RepairOptions = {},
): Promise<RepairReport> {
  const dryRun = options.dryRun === true;
  const incidents = await ctx.ledger.openCollection('incidents');
  const tripped: BreakerCheck[] = [];
  for (const reference of references) {
    const check = await checkBreaker(ctx, reference, incidents, options.forceBreaker === true);
    if (check?.verdict.tripped) tripped.push(check);
  }
  const breaker = tripped.length > 0 ? { breaker: tripped } : {};
  if (tripped.some((c) => !c.overridden))
    return { dryRun, references: [], counts: countStatuses([]), ...breaker, refusedByBreaker: true };
  const results: ReferenceRepair[] = [];
  for (const reference of references) {
    const override = tripped.find((c) => c.verdict.reference === reference.name)?.plan?.hash;
    results.push(
      await repairReference(ctx, reference, { ...options, ...(override ? { breakerPlan: override } : {}) }),
    );
  }
  return { dryRun, references: results, counts: addCounts(results.map((r) => r.counts)), ...breaker };
}
