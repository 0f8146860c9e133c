import type { ResolvedConfig } from '../../config/resolved-config.js';
import { type CutoverReport, cutover } from '../../derived/cutover.js';
import { actorOf, type RunOptions } from '../run-options.js';
import { type DerivedJobInput, type DerivedJobWaiting, jobSettings, oneDerived } from './derived-job.js';
import { withDerived } from './with-derived.js';

/** Which derived state to switch, on which accepted dual-run report. */
export interface DerivedCutoverInput extends DerivedJobInput {
  /** The report hash the dual run gave (`dr-...`). */
  readonly report: string;
  /** Derived documents per batch. Default 500. */
  readonly batch?: number;
}

/**
 * Switches to the projection version a dual run proved: hashes the values in place and the shadow
 * values again and refuses (writing nothing) unless that gives the accepted report hash; then, in
 * checkpointed batches with before-images and audit records, makes each shadow value the value in
 * place (while the value in place is unchanged), stamps the new projection version and removes the
 * shadow. A document changed meanwhile is skipped.
 */
export function derivedCutover(
  config: ResolvedConfig,
  input: DerivedCutoverInput,
  options: RunOptions<DerivedJobWaiting> = {},
): Promise<CutoverReport> {
  const derived = oneDerived(config, input.derived);
  return withDerived(config, [derived], actorOf(options), (run) =>
    cutover({
      derived,
      ...run.handles(derived),
      ledger: run.ledger,
      report: input.report,
      ...(input.batch === undefined ? {} : { batch: input.batch }),
      ...jobSettings(input, options),
    }),
  );
}
