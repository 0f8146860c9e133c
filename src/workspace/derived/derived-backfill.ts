import type { ResolvedConfig } from '../../config/resolved-config.js';
import { type BackfillReport, backfillDerived } from '../../derived/backfill.js';
import { repairNeedsAttention } from '../../derived/repair-report.js';
import type { Segment } from '../../stores/store.js';
import { actorOf, type RunOptions } from '../run-options.js';
import { type DerivedJobInput, type DerivedJobWaiting, jobSettings, oneDerived } from './derived-job.js';
import { withDerived } from './with-derived.js';

/** Which derived field to populate, and how. */
export interface DerivedBackfillInput extends DerivedJobInput {
  /** Count what would be written; write nothing and skip the check. */
  readonly dryRun?: boolean;
  /** Derived documents per batch. Default 500. */
  readonly batch?: number;
  /** Only this segment of the derived collection (backfill and check alike). */
  readonly segment?: Segment;
}

/** What a backfill wrote and what the check after it found; `ok` when nothing was skipped and nothing drifts. */
export type DerivedBackfillResult = BackfillReport & { readonly ok: boolean };

/**
 * Populates a newly added derived field for every derived document without it (the absence is the
 * filter, so a rerun does only what is left), in checkpointed batches with before-images, projection
 * metadata and audit records; then an exact drift check of the whole derived state (or segment),
 * so the field is validated before consumers are switched to it.
 */
export function derivedBackfill(
  config: ResolvedConfig,
  input: DerivedBackfillInput,
  options: RunOptions<DerivedJobWaiting> = {},
): Promise<DerivedBackfillResult> {
  const d = oneDerived(config, input.derived);
  return withDerived(config, [d], actorOf(options), async (run) => {
    const result = await backfillDerived({
      derived: d,
      ...run.handles(d),
      ledger: run.ledger,
      dryRun: input.dryRun === true,
      ...(input.batch === undefined ? {} : { batch: input.batch }),
      ...(input.segment ? { segment: input.segment } : {}),
      ...jobSettings(input, options),
    });
    const ok = !repairNeedsAttention(result.backfill) && (result.check?.drift ?? 0) === 0;
    return { ok, ...result };
  });
}
