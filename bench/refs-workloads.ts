import type { JsonObject } from '../src/core/json.js';
import { StewardError } from '../src/errors/steward-error.js';
import { createExampleRows, exampleKey } from '../src/example/example-rows.js';
import type { ResolvedReference } from '../src/integrity/reference.js';
import type { CollectionSpec, Store, WriteOp } from '../src/stores/store.js';
import type { BenchContext } from './scenario.js';

/**
 * The reference the `refs-scan` scenario checks: N source documents shaped like the example's
 * tasks, whose `caseId` points into N/5 target documents shaped like its cases, with one source
 * in a thousand pointing past the last target (an orphan).
 */
export const refsSourceSpec: CollectionSpec = { name: 'bench_refs_tasks', keyField: 'id' };

/**
 * Targets are keyed by the store's default key field (`_id` on MongoDB, as a config that does
 * not say otherwise is), the field lookups by key are fastest on.
 */
export function refsTargetSpec(store: Store): CollectionSpec {
  return { name: 'bench_refs_cases', keyField: store.capabilities.defaultKeyField };
}

export const refsReference: ResolvedReference = {
  name: 'bench_refs_tasks.caseId',
  collection: 'bench_refs_tasks',
  field: 'caseId',
  target: 'bench_refs_cases',
  owner: 'bench',
  onMissing: 'flag',
  required: false,
};

/** Targets per source: 100k sources point into 20k targets. */
export const targetsPer = 5;

/** Orphans the sources hold: every source whose index is 7 modulo 1000. */
export function expectedOrphans(docs: number): number {
  return Math.floor((docs - 8) / 1000) + 1;
}

/** Writes the targets and the sources through the seam (recreating both); not measured. */
export async function loadRefsWorkload(context: BenchContext, store: Store): Promise<void> {
  const { docs, seed, batch, targetPad } = context.options;
  // `--target-pad`: targets as large as users' often are (SQLite keeps a row over about 1 KB
  // partly on overflow pages, which changes what a lookup by key costs there).
  const padding: JsonObject = targetPad ? { notes: 'n'.repeat(targetPad) } : {};
  const targets = Math.max(1, Math.floor(docs / targetsPer));
  const rows = createExampleRows({ docs: docs * 2.5, seed });
  const targetSpec = refsTargetSpec(store);
  for (const spec of [refsSourceSpec, targetSpec]) {
    await store.dropCollection(spec);
    await store.ensureCollection(spec);
  }
  const targetKey = targetSpec.keyField;
  await writeAll(store.collection(targetSpec), targets, batch, (i) => {
    const { id, ...doc } = rows.row('cases', i);
    return { ...doc, ...padding, [targetKey]: id ?? exampleKey('cases', i) };
  });
  await writeAll(store.collection(refsSourceSpec), docs, batch, (i) => {
    const doc = rows.row('tasks', i);
    const pointsAt = i % 1000 === 7 ? targets + i : i % targets;
    return { ...doc, caseId: exampleKey('cases', pointsAt) };
  });
}

async function writeAll(
  collection: ReturnType<Store['collection']>,
  count: number,
  batch: number,
  make: (i: number) => JsonObject,
): Promise<void> {
  for (let start = 0; start < count; start += batch) {
    const ops: WriteOp[] = [];
    for (let i = start; i < Math.min(count, start + batch); i++) ops.push({ type: 'insert', doc: make(i) });
    const results = await collection.write(ops);
    const failed = results.find((r) => r.status !== 'ok');
    if (failed) {
      throw new StewardError(
        'store.write-incomplete',
        `loading ${collection.spec.name} failed: ${JSON.stringify(failed)}`,
      );
    }
  }
}
