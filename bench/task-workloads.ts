import type { JsonObject } from '../src/core/json.js';
import { StewardError } from '../src/errors/steward-error.js';
import { createExampleRows } from '../src/example/example-rows.js';
import { scanPages } from '../src/stores/scan-pages.js';
import type { CollectionSpec, WriteOp } from '../src/stores/store.js';
import type { BenchOptions } from './bench-options.js';
import type { Phase, PhaseResult } from './measure-phase.js';
import type { BenchContext } from './scenario.js';

/**
 * The workloads the first scenarios share: N documents shaped like the example's `tasks`, made by
 * the example generator's row function, so the baseline and the seam write identical content.
 */

/**
 * steward's collection for the seam side; the baseline uses its own `bench_tasks_baseline`.
 * keyField `id` on every store, MongoDB included, on purpose: the MongoDB baseline inserts the
 * same documents (`id` plus a driver-made `_id`) under a unique index on `id`, so both sides store
 * the same shape with the same index. Keying the seam by `_id` would be faster on FerretDB, whose
 * SQLite backend answers a lookup by a non-`_id` field with a scan, but it would compare different
 * documents. The seam writes one `find` of its keys per batch (a scan there) and then inserts.
 */
export const seamSpec: CollectionSpec = { name: 'bench_tasks_seam', keyField: 'id' };

const unmeasured: Phase = { time: (work) => work(), poll: () => undefined, prepare: (make) => make() };

/** Batches of task documents, generated one batch at a time so memory stays flat. */
export function* taskBatches(
  options: Pick<BenchOptions, 'docs' | 'batch' | 'seed'>,
): Generator<JsonObject[]> {
  const rows = createExampleRows({ docs: options.docs, seed: options.seed });
  for (let start = 0; start < options.docs; start += options.batch) {
    const batch: JsonObject[] = [];
    for (let i = start; i < Math.min(start + options.batch, options.docs); i++)
      batch.push(rows.row('tasks', i));
    yield batch;
  }
}

/**
 * Empties the baseline table and writes the documents through the driver, measured as `label`
 * when one is given. Opening and emptying the table happen before the measurement starts.
 */
export async function writeBaseline(context: BenchContext, label?: string): Promise<PhaseResult | undefined> {
  const baseline = await context.baseline();
  await baseline.reset();
  return measureOrRun(context, label, async (phase) => {
    let written = 0;
    for (const batch of taskBatches(context.options)) {
      await phase.time(() => baseline.write(batch));
      written += batch.length;
      phase.poll();
    }
    return written;
  });
}

/** Recreates the seam collection and writes the documents as replace + upsert operations. */
export async function writeSeam(context: BenchContext, label?: string): Promise<PhaseResult | undefined> {
  const store = await context.seam();
  await store.dropCollection(seamSpec);
  await store.ensureCollection(seamSpec);
  const collection = store.collection(seamSpec);
  return measureOrRun(context, label, async (phase) => {
    let written = 0;
    for (const batch of taskBatches(context.options)) {
      const ops: WriteOp[] = batch.map((doc) => ({ type: 'replace', doc, upsert: true }));
      const results = await phase.time(() => collection.write(ops));
      const failed = results.find((r) => r.status !== 'ok');
      if (failed || results.length !== batch.length) {
        throw new StewardError(
          'store.write-incomplete',
          `seam write refused a document: ${JSON.stringify(failed)}`,
        );
      }
      written += batch.length;
      phase.poll();
    }
    return written;
  });
}

async function measureOrRun(
  context: BenchContext,
  label: string | undefined,
  work: (phase: Phase) => Promise<number>,
): Promise<PhaseResult | undefined> {
  if (label !== undefined) return context.measure(label, work);
  await work(unmeasured);
  return undefined;
}

/** Counts every document of the seam collection, page by page. */
export async function scanSeam(context: BenchContext, phase: Phase): Promise<number> {
  const collection = (await context.seam()).collection(seamSpec);
  let seen = 0;
  for await (const page of scanPages(collection, { limit: 1000 })) {
    seen += page.docs.length;
    phase.poll();
  }
  return seen;
}

/** Fails loudly when a scan did not see every document written, which would void the timing. */
export function expectAll(context: BenchContext, result: PhaseResult): PhaseResult {
  if (result.docs !== context.options.docs) {
    throw new StewardError(
      'store.failed',
      `${result.label} saw ${result.docs} documents, expected ${context.options.docs}`,
    );
  }
  return result;
}
