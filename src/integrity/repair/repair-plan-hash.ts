import { hashJson } from '../../core/hash.js';
import type { ResolvedReference } from '../reference.js';

/** The approval kind of a delete-dependent repair; the config's `approvalPolicies` key for it. */
export const deleteApprovalKind = 'refs.delete-dependent';

/**
 * The hash an approval of a delete-dependent repair signs: the reference (name, field, target)
 * and the sorted ids of the incidents whose documents would be deleted. Incident ids are stable
 * per reference and document key, so the hash names exactly which documents go: one more orphan
 * found, or one fewer, and it is a different plan needing its own approval. Pure.
 */
export function repairPlanHash(reference: ResolvedReference, incidentIds: readonly string[]): string {
  return hashJson({
    kind: deleteApprovalKind,
    reference: reference.name,
    collection: reference.collection,
    field: reference.field,
    target: reference.target,
    incidents: [...new Set(incidentIds)].sort(),
  });
}

/**
 * The plan a run continues. A run that stopped part-way closed some incidents of its plan (their
 * resolution names the plan); if the incidents open now plus those closed under a plan hash to
 * that plan, this run finishes it, under the same approval. Otherwise the open incidents are a
 * new plan. Pure.
 */
export function currentPlanHash(
  reference: ResolvedReference,
  openIds: readonly string[],
  closedByPlan: ReadonlyMap<string, readonly string[]>,
  planHash: (reference: ResolvedReference, incidentIds: readonly string[]) => string = repairPlanHash,
): { hash: string; resumed: number } {
  for (const [plan, closed] of closedByPlan) {
    if (planHash(reference, [...openIds, ...closed]) === plan) return { hash: plan, resumed: closed.length };
  }
  return { hash: planHash(reference, openIds), resumed: 0 };
}
