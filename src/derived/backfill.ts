import type { ParsedFilter } from '../core/filter.js';
import { checkDrift } from './check-drift.js';
import type { DriftReport } from './drift-report.js';
import { refuseElements } from './dual-run.js';
import { type RebuildInput, rebuildDerived } from './rebuild-derived.js';
import type { RepairReport } from './repair-report.js';

export type BackfillInput = Omit<RebuildInput, 'scope' | 'by' | 'useMap'> & {
  /** Called after each page of the drift check that follows, with the documents read (progress). */
  readonly onCheckPage?: (scanned: number) => void;
};

/** What a backfill wrote, and what the check after it found. */
export interface BackfillReport {
  readonly backfill: RepairReport;
  /** An exact drift check of the whole derived state, run after the backfill (not on a dry run). */
  readonly check?: DriftReport;
}

/**
 * Populates a newly added derived field (seed 001 section 16): a rebuild of the documents that do
 * not have the field yet, with the field's absence pushed down as the filter, so it is bounded
 * batches, idempotent (a backfilled document no longer matches) and checkpointed like any rebuild
 * (see `rebuild-derived.ts`). An aggregate's source is read once into a per-key map. Then it is
 * validated before consumers are switched to the field: an exact drift check of the whole derived
 * state (of the segment, for a segment's backfill), whose drift becomes incidents as usual.
 */
export async function backfillDerived(input: BackfillInput): Promise<BackfillReport> {
  refuseElements(input.derived, 'a backfill');
  const where: ParsedFilter = [{ op: 'exists', path: input.derived.field, exists: false }];
  const backfill = await rebuildDerived({ ...input, scope: { where }, by: 'backfill', useMap: true });
  if (input.dryRun) return { backfill };
  const check = await checkDrift({
    derived: input.derived,
    target: input.target,
    source: input.source,
    ledger: input.ledger,
    method: 'exact',
    ...(input.batch ? { batch: input.batch } : {}),
    ...(input.clock ? { clock: input.clock } : {}),
    ...(input.segment ? { segment: input.segment } : {}),
    ...(input.onCheckPage ? { onPage: input.onCheckPage } : {}),
  });
  return { backfill, check };
}
