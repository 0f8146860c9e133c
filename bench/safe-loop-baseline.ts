import { Ajv2020 } from 'ajv/dist/2020.js';
import type { JsonObject } from '../src/core/json.js';
import { StewardError } from '../src/errors/steward-error.js';
import type { DigestCensus, SafeLoopResult } from './baselines/baseline.js';
import type { PhaseResult } from './measure-phase.js';
import { contract, migrated } from './migration-workload.js';
import type { BenchContext } from './scenario.js';
import { taskBatches } from './task-workloads.js';

/**
 * The contract check written by hand: the target version's schema of the bench's contract,
 * compiled once with ajv (draft 2020-12, as steward compiles a contract without `$schema`), and
 * the version `up` wrote must be the target's.
 */
export function handWrittenCheck(): (doc: JsonObject) => string | undefined {
  const target = contract.versions.at(-1)!;
  const ajv = new Ajv2020({ allErrors: true, allowUnionTypes: true, strict: false });
  const validate = ajv.compile(target.schema);
  return (doc) => {
    if (doc.schemaVersion !== target.version) return `has schemaVersion ${String(doc.schemaVersion)}`;
    return validate(doc)
      ? undefined
      : `does not conform to v${target.version}: ${ajv.errorsText(validate.errors)}`;
  };
}

/**
 * The same safe migration written by hand with the driver (issue 17, eighth pass), measured as
 * `baseline-safe-loop`: over the baseline table loaded with the documents as before the step (not
 * measured), `up` runs the safe loop, `down` runs the safe rollback of a safe loop run before
 * (not measured). What it did is checked afterwards against a census of the table (not measured),
 * so the baseline cannot silently do less work than apply or rollback. Undefined on stores
 * without it (MongoDB).
 */
export async function safeLoopBaseline(
  context: BenchContext,
  direction: 'up' | 'down',
): Promise<PhaseResult | undefined> {
  const baseline = await context.baseline();
  const { safeUpdateLoop, safeRollback, digestCensus } = baseline;
  if (!safeUpdateLoop || !safeRollback || !digestCensus) return undefined;
  await baseline.reset();
  for (const batch of taskBatches(context.options)) await baseline.write(batch);
  const original = await digestCensus.call(baseline);
  const job = {
    transform: migrated,
    check: handWrittenCheck(),
    pageSize: Math.min(context.options.batch, 10_000),
  };
  if (direction === 'up') {
    let result: SafeLoopResult | undefined;
    const phase = await context.measure('baseline-safe-loop', async (phase) => {
      result = await safeUpdateLoop.call(baseline, { ...job, poll: () => phase.poll() });
      return result.docs;
    });
    expectSafeEnd(context, 'baseline-safe-loop', original, await digestCensus.call(baseline), result!);
    return phase;
  }
  const applied = await safeUpdateLoop.call(baseline, { ...job, poll: () => undefined });
  expectSafeEnd(
    context,
    'the safe loop before rollback',
    original,
    await digestCensus.call(baseline),
    applied,
  );
  const phase = await context.measure('baseline-safe-loop', async (phase) => {
    const rolledBack = await safeRollback.call(baseline, () => phase.poll());
    const { census } = rolledBack;
    if (!rolledBack.exact || census.sum !== original.sum || census.versions['1'] !== context.options.docs)
      throw new StewardError(
        'store.failed',
        `safe rollback not exact: ${JSON.stringify({ original, census })}`,
      );
    return rolledBack.docs;
  });
  return phase;
}

/**
 * Fails the run unless the safe loop migrated every document and its sums are what a scan of the
 * table gives: the before sum the original's, the after sum the migrated table's.
 */
function expectSafeEnd(
  context: BenchContext,
  label: string,
  original: DigestCensus,
  end: DigestCensus,
  result: SafeLoopResult,
): void {
  const n = context.options.docs;
  const problems = [
    original.count === n && result.docs === n ? '' : `${result.docs} documents of ${n}`,
    end.versions['2'] === n ? '' : `versions after ${JSON.stringify(end.versions)}`,
    result.beforeSum === original.sum ? '' : `before sum ${result.beforeSum}, the table's ${original.sum}`,
    result.afterSum === end.sum ? '' : `after sum ${result.afterSum}, the table's ${end.sum}`,
  ].filter(Boolean);
  if (problems.length > 0)
    throw new StewardError('store.failed', `${label} did less than apply: ${problems.join('; ')}`);
}
