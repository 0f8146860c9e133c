import { formatCount } from '../../core/format-count.js';
import { readOriginals } from '../batch-images.js';
import type { Migration, ValidatorDefinition } from '../migration.js';
import type { OriginalsLookup } from '../validators/parity-validator.js';
import { runValidators } from '../validators/run-validators.js';
import type { ValidatorResult } from '../validators/validator-result.js';
import { showKey } from '../validators/validator-result.js';
import type { ApplyContext } from './apply-context.js';
import { errorRate, type GateResult, type MigrationProgress } from './apply-state.js';
import { canaryView } from './canary.js';
import type { DocumentPlan } from './document-plan.js';
import { documentCollections } from './migration-collections.js';

/**
 * The gates between the canary and the rest:
 * - `validators`: the migration's `after` validators on the canary documents only (`count`
 *   bounds are skipped here: the canary is a sample; they run in the final gate);
 * - `parity`: its `parity` validators, the old read shape on each document's before-image
 *   against the new read shape on the document as it is now, on a sample of the canary;
 * - `error-rate`: canary documents `up` failed on, over the canary's size, at most `maxErrorRate`;
 * - `contract`: passed, since the canary pass stops at the first batch holding a document that
 *   would break its contract (see {@link contractStop}); this result puts it in the report.
 */
export async function canaryGates(
  ctx: ApplyContext,
  migration: Migration,
  progress: MigrationProgress,
): Promise<GateResult[]> {
  const { hash, options } = ctx.plan;
  const rewritten = documentCollections(migration);
  const results = await runValidators({
    validators: migration.validators?.after ?? [],
    collectionFor: (name) => {
      const handle = ctx.target.collection(name).handle;
      return rewritten.includes(name) ? canaryView(handle, hash, options.canaryPercent) : handle;
    },
    contracts: ctx.contracts,
    sample: ctx.settings.paritySample ?? 1000,
    originals: originalsOf(ctx, migration, progress.attempt),
    skipCounts: `the canary holds about ${options.canaryPercent}% of the documents; counts are checked after the rest`,
    sampleOf: 'the canary',
  });
  const { canaryFailed, canaryDocs } = progress.counts;
  return [
    validatorGate(
      'validators',
      'canary',
      results.filter((r) => r.kind !== 'parity'),
    ),
    validatorGate(
      'parity',
      'canary',
      results.filter((r) => r.kind === 'parity'),
    ),
    errorRateGate('canary', canaryFailed, canaryDocs, ctx.settings.maxErrorRate),
    contractPassed(ctx, migration, progress, 'canary'),
  ];
}

/**
 * The gates after every document was processed: the error rate over all of them, the `count`
 * validators (skipped at the canary) on the whole collections, and the contract (passed, as at
 * the canary, for every document the rest wrote).
 */
export async function finalGates(
  ctx: ApplyContext,
  migration: Migration,
  progress: MigrationProgress,
): Promise<GateResult[]> {
  const counts = (migration.validators?.after ?? []).filter(
    (v): v is ValidatorDefinition & { kind: 'count' } => v.kind === 'count',
  );
  const results = await runValidators({
    validators: counts,
    collectionFor: (name) => ctx.target.collection(name).handle,
    contracts: ctx.contracts,
  });
  const { changed, skipped, failed } = progress.counts;
  return [
    validatorGate('validators', 'final', results),
    errorRateGate('final', failed, changed + skipped + failed, ctx.settings.maxErrorRate),
    contractPassed(ctx, migration, progress, 'final'),
  ];
}

/**
 * The `contract` gate failing: documents of a batch that would not conform to their contract once
 * rewritten. The pass stops before writing anything of that batch; each document is named with
 * its key and the schema paths it breaks.
 */
export function contractStop(
  stage: 'canary' | 'rest',
  collection: string,
  broken: readonly Extract<DocumentPlan, { kind: 'failed' }>[],
): GateResult {
  return {
    gate: 'contract',
    stage,
    ok: false,
    message:
      `${broken.length} document(s) of ${collection} would not conform to its contract once migrated; ` +
      'apply stopped before writing their batch',
    problems: broken.map((p) => `${showKey(p.key)}: ${p.reason}`),
  };
}

/** The `contract` gate's result when no pass stopped on it. */
function contractPassed(
  ctx: ApplyContext,
  migration: Migration,
  progress: MigrationProgress,
  stage: GateResult['stage'],
): GateResult {
  const names = documentCollections(migration);
  const checked = names.filter((n) => ctx.contracts.contracts.some((c) => c.collection === n));
  const unchecked = names.filter((n) => !checked.includes(n));
  const which = stage === 'canary' ? 'canary document' : 'document';
  const parts = [
    checked.length > 0
      ? `every ${which} written conforms to its contract (${checked.join(', ')})`
      : `no contract for ${names.join(', ')}: nothing to conform to`,
    ...(checked.length > 0 && unchecked.length > 0 ? [`no contract for ${unchecked.join(', ')}`] : []),
    ...(progress.acceptNonConforming
      ? ['documents that would not conform were left as they were and counted as failed (--resume)']
      : []),
  ];
  return { gate: 'contract', stage, ok: true, message: parts.join('; '), problems: [] };
}

function validatorGate(
  gate: 'validators' | 'parity',
  stage: GateResult['stage'],
  results: readonly ValidatorResult[],
): GateResult {
  const failed = results.filter((r) => !r.ok);
  const message =
    results.length === 0
      ? `no ${gate === 'parity' ? 'parity ' : ''}validators to run`
      : failed.length === 0
        ? `${results.length} validator(s) pass: ${results.map((r) => r.name).join(', ')}`
        : `${failed.length} of ${results.length} validator(s) fail: ${failed.map((r) => `${r.name} (${r.message})`).join('; ')}`;
  const problems = failed.flatMap((r) => r.problems.map((p) => `${r.name}: ${p}`));
  return { gate, stage, ok: failed.length === 0, message, problems };
}

function errorRateGate(
  stage: GateResult['stage'],
  failed: number,
  processed: number,
  max: number,
): GateResult {
  const rate = errorRate(failed, processed);
  const ok = rate <= max;
  const message = `${formatCount(failed)} of ${formatCount(processed)} document(s) failed (${(rate * 100).toFixed(2)}%; at most ${(max * 100).toFixed(2)}% allowed)`;
  return { gate: 'error-rate', stage, ok, message, problems: [] };
}

/** The canary's documents as they were before this attempt rewrote them, from its batch images. */
function originalsOf(ctx: ApplyContext, migration: Migration, attempt: number): OriginalsLookup {
  return async (collection, keys) => {
    return readOriginals(
      ctx.backups,
      { migration: migration.id, attempt, collection, stage: 'canary' },
      keys,
    );
  };
}

/** The gates that failed, by name. */
export function failedGates(gates: readonly GateResult[]): GateResult['gate'][] {
  return [...new Set(gates.filter((g) => !g.ok).map((g) => g.gate))];
}
