import { StewardError } from '../errors/steward-error.js';
import type { CollectionSpec, Store, WriteOp, WriteResult } from '../stores/store.js';
import {
  caseManagementModel,
  type ExampleCollectionName,
  exampleCollectionNames,
} from './case-management-model.js';
import { createExampleRows, exampleCounts, exampleKey } from './example-rows.js';
import { occupiedCollections } from './occupied-collections.js';
import { type ExampleFault, type ExampleFaultCounts, planExampleFaults } from './plan-example-faults.js';

export interface GenerateExampleOptions {
  /** Approximate total number of documents, split across collections in fixed proportions. */
  readonly docs: number;
  /** Same seed and docs give byte-identical documents on every store. */
  readonly seed: string | number;
  readonly faults?: ExampleFaultCounts;
  /** Documents per `Collection.write` call. Default 1000. */
  readonly batchSize?: number;
  /** Prefix of every collection name, so several examples can share one store. Default none. */
  readonly namePrefix?: string;
  /**
   * Write even when the example's collections already hold documents, replacing those with the
   * example's keys (no before-images: the example is test data). Default false: refused.
   */
  readonly force?: boolean;
  onProgress?(written: number, total: number): void;
}

/**
 * What was generated: documents per collection and every injected fault, so tests and benchmarks
 * know the right answer. It lists faults, never documents, so it stays small at any size.
 */
export interface ExampleManifest {
  readonly seed: string | number;
  /** The requested size; `total` is what was written. */
  readonly docs: number;
  readonly total: number;
  readonly counts: Readonly<Record<ExampleCollectionName, number>>;
  /** The instant overdue is measured against (see the model's `asOf`). */
  readonly asOf: string;
  /** Injected faults, sorted by collection, key and field. */
  readonly faults: readonly ExampleFault[];
}

/**
 * Writes the case-management example into a store: ensures every collection, then streams each
 * one in batches of `replace` + `upsert` operations, generating each batch just before writing it,
 * so memory stays flat however many documents are asked for.
 *
 * A store whose example collections (names with `namePrefix`) already hold documents is refused
 * before anything is written or created (`input.invalid`, exit 2, naming them): they may be real
 * data that happens to share a name, such as `accounts`. Choose a fresh `namePrefix`, drop them,
 * or pass `force`, which replaces the documents with the example's keys and leaves the others.
 * Throws `store.write-incomplete` if the store refuses any document.
 */
export async function generateExample(
  store: Store,
  options: GenerateExampleOptions,
): Promise<ExampleManifest> {
  const batchSize = options.batchSize ?? 1000;
  if (!Number.isInteger(options.docs) || options.docs < 1 || !Number.isInteger(batchSize) || batchSize < 1) {
    throw new StewardError(
      'input.invalid',
      'generateExample needs whole numbers: docs >= 1 and batchSize >= 1.',
      {
        docs: options.docs,
        batchSize,
      },
    );
  }
  const counts = exampleCounts(options.docs);
  const plan = planExampleFaults(counts, exampleKey, options.faults ?? {}, options.seed);
  const rows = createExampleRows({ docs: options.docs, seed: options.seed, transform: plan.apply });
  const total = Object.values(counts).reduce((a, b) => a + b, 0);

  const specs = exampleCollectionNames.map((name) => exampleSpec(name, options.namePrefix));
  if (options.force !== true) await refuseOccupied(store, specs);
  for (const spec of specs) await store.ensureCollection(spec);
  let written = 0;
  for (const [n, name] of exampleCollectionNames.entries()) {
    const collection = store.collection(specs[n]!);
    for (let start = 0; start < counts[name]; start += batchSize) {
      const ops: WriteOp[] = [];
      for (let i = start; i < Math.min(start + batchSize, counts[name]); i++) {
        ops.push({ type: 'replace', doc: rows.row(name, i), upsert: true });
      }
      assertWritten(name, ops, await collection.write(ops));
      written += ops.length;
      options.onProgress?.(written, total);
    }
  }
  return {
    seed: options.seed,
    docs: options.docs,
    total,
    counts,
    asOf: caseManagementModel.asOf,
    faults: plan.faults(),
  };
}

/** The spec of an example collection, its name prefixed when several examples share a store. */
export function exampleSpec(name: ExampleCollectionName, namePrefix = ''): CollectionSpec {
  const spec = caseManagementModel.collections[name].spec;
  return namePrefix === '' ? spec : { ...spec, name: `${namePrefix}${spec.name}` };
}

async function refuseOccupied(store: Store, specs: readonly CollectionSpec[]): Promise<void> {
  const occupied = await occupiedCollections(store, specs);
  if (occupied.length === 0) return;
  throw new StewardError(
    'input.invalid',
    `the ${store.kind} store already holds documents in ${occupied.join(', ')}; the example would replace ` +
      'those with its keys. Nothing was written. Build it beside them with a fresh prefix (--prefix, ' +
      'namePrefix), drop those collections, or replace their documents with --force (force).',
    { collections: occupied },
  );
}

function assertWritten(collection: string, ops: readonly WriteOp[], results: readonly WriteResult[]): void {
  const failed = results.findIndex((r) => r.status !== 'ok');
  if (failed === -1 && results.length === ops.length) return;
  const op = ops[failed];
  const key = op?.type === 'replace' ? op.doc.id : undefined;
  throw new StewardError(
    'store.write-incomplete',
    `Writing the example into ${collection} failed at document ${String(key)}: ${JSON.stringify(results[failed])}.`,
    { collection, key, result: results[failed], expected: ops.length, got: results.length },
  );
}
