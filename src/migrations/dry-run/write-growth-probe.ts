import { performance } from 'node:perf_hooks';
import type { JsonObject } from '../../core/json.js';
import type { Collection, CollectionSpec, Store } from '../../stores/store.js';

/** Writes the probe times in each collection: enough for quartiles, few enough to cost little. */
export const probeWrites = 9;

/** Fewer documents in the quarter than this, and there is nothing to time: a warm-up and two writes. */
const minProbeDocuments = 3;

/** The share of the sandbox the small probe collection holds. */
const smallShare = 0.25;

/** Keyed writes timed in a small and in a large collection of the same documents. */
export interface WriteGrowth {
  readonly smallDocuments: number;
  readonly largeDocuments: number;
  /** Paired timings: the i-th write in the small collection, then the i-th in the large one. */
  readonly smallMs: readonly number[];
  readonly largeMs: readonly number[];
}

/**
 * How a keyed write's cost grows with the collection, measured where the dry run may write: in
 * the sandbox (after its pass) and in a quarter of it copied beside it (`<sandbox>_probe`, dropped
 * at once). Each timed write replaces a document by its key with itself, one write a call, the
 * small and the large collection in turn so both see the same load. FerretDB 1.24 scans the
 * collection for a keyed write, so there the large one costs more; an indexed store costs the
 * same. Undefined when the quarter holds too few documents to time.
 */
export async function probeWriteGrowth(
  store: Store,
  sandbox: CollectionSpec,
  sandboxDocuments: number,
): Promise<WriteGrowth | undefined> {
  const small: CollectionSpec = { ...sandbox, name: `${sandbox.name}_probe` };
  try {
    const { copied } = await store.copyCollection(sandbox, small, {
      fraction: smallShare,
      seed: 'steward.eta',
    });
    if (copied < minProbeDocuments) return undefined;
    const large = store.collection(sandbox);
    const smallDocs = await firstDocs(store.collection(small));
    const largeDocs = await firstDocs(large);
    const smallMs: number[] = [];
    const largeMs: number[] = [];
    const pairs = Math.min(smallDocs.length, largeDocs.length);
    if (pairs < 2) return undefined;
    await timedRewrite(store.collection(small), smallDocs[0]!);
    await timedRewrite(large, largeDocs[0]!);
    for (let i = 1; i < pairs; i++) {
      smallMs.push(await timedRewrite(store.collection(small), smallDocs[i]!));
      largeMs.push(await timedRewrite(large, largeDocs[i]!));
    }
    return { smallDocuments: copied, largeDocuments: sandboxDocuments, smallMs, largeMs };
  } finally {
    await store.dropCollection(small);
  }
}

async function firstDocs(collection: Collection): Promise<JsonObject[]> {
  // One more than timed: the first write of each warms its connection and statements, untimed.
  return (await collection.scan({ limit: probeWrites + 1 })).docs;
}

async function timedRewrite(collection: Collection, doc: JsonObject): Promise<number> {
  const started = performance.now();
  const [result] = await collection.write([{ type: 'replace', doc }]);
  if (result?.status !== 'ok')
    throw new Error(`the ETA probe could not rewrite a sandbox document: ${JSON.stringify(result)}`);
  return performance.now() - started;
}
