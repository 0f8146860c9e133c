import type { ResolvedConfig } from '../../config/resolved-config.js';
import type { ResolvedDerived } from '../../derived/derived.js';
import { dropShadow } from '../../derived/drop-shadow.js';
import { dualRun } from '../../derived/dual-run.js';
import { type DualRunReport, shadowField } from '../../derived/dual-run-report.js';
import { StewardError } from '../../errors/steward-error.js';
import { actorOf, type RunOptions } from '../run-options.js';
import { type DerivedJobInput, type DerivedJobWaiting, jobSettings, oneDerived } from './derived-job.js';
import { withDerived } from './with-derived.js';

/** Which derived state to prove a new projection version of, and how. */
export interface DerivedDualRunInput extends DerivedJobInput {
  /** The version being proven: must be the declaration's (a guard against running an old config). */
  readonly version?: number;
  /** Derived documents per batch. Default 500. */
  readonly batch?: number;
}

/**
 * Builds projection version N+1 (the declaration's transform and version) beside the values in
 * place: each new value goes to the shadow field `<field>__v<N+1>`, is compared with the value in
 * place, and the counts, a sample of differences and a report hash are reported. Nothing consumers
 * read changes. Checkpointed: run it again after an interruption and it resumes.
 */
export function derivedDualRun(
  config: ResolvedConfig,
  input: DerivedDualRunInput,
  options: RunOptions<DerivedJobWaiting> = {},
): Promise<DualRunReport> {
  const d = provenDerived(config, input);
  return withDerived(config, [d], actorOf(options), (run) =>
    dualRun({
      derived: d,
      ...run.handles(d),
      ledger: run.ledger,
      ...batchOf(input),
      ...jobSettings(input, options),
    }),
  );
}

/** What `derivedDropShadow` removed. */
export interface DropShadowResult {
  readonly derived: string;
  /** The shadow field removed: `<field>__v<version>`. */
  readonly shadow: string;
  readonly examined: number;
  readonly dropped: number;
}

/**
 * Undoes a dual run: removes the shadow values of the declaration's version (`version`, when
 * given, must be it) from every derived document, batched, checkpointed and audited. The values
 * consumers read were never touched.
 */
export function derivedDropShadow(
  config: ResolvedConfig,
  input: DerivedDualRunInput,
  options: RunOptions<DerivedJobWaiting> = {},
): Promise<DropShadowResult> {
  const d = provenDerived(config, input);
  return withDerived(config, [d], actorOf(options), async (run) => {
    const dropped = await dropShadow({
      derived: d,
      ...run.handles(d),
      ledger: run.ledger,
      ...batchOf(input),
      ...jobSettings(input, options),
    });
    return { derived: d.name, shadow: shadowField(d.field, d.version), ...dropped };
  });
}

/** The declaration named, checked to be at the version the caller means to prove. */
function provenDerived(config: ResolvedConfig, input: DerivedDualRunInput): ResolvedDerived {
  const d = oneDerived(config, input.derived);
  if (input.version !== undefined && input.version !== d.version)
    throw new StewardError(
      'usage',
      `--version ${input.version} is not the version ${d.name} declares (${d.version}); set version: ${input.version} and the new transform in ${config.file ?? 'the config'} first`,
      { derived: d.name },
    );
  return d;
}

function batchOf(input: { readonly batch?: number }) {
  return input.batch === undefined ? {} : { batch: input.batch };
}
