import { performance } from 'node:perf_hooks';
import type { JsonObject } from '../../core/json.js';
import { scanPages } from '../../stores/scan-pages.js';
import { type Collection, type DocKey, keyId, type WriteOp } from '../../stores/store.js';
import { type CollectionRewrite, planDocument } from '../apply/document-plan.js';
import {
  type CollectionDryRun,
  type DocumentDelta,
  type DocumentProblem,
  maxListedFailures,
  maxListedRoundTrips,
} from '../report/dry-run-report.js';
import { KeptByHash } from './kept-by-hash.js';
import { roundTripProblem } from './round-trip.js';

/** One migration over one sandbox collection. */
export interface SandboxPass {
  /** How apply rewrites this collection's documents: the dry run does exactly the same. */
  readonly rewrite: CollectionRewrite;
  /** The sandbox copy: the only collection this pass writes. */
  readonly collection: Collection;
  /** steward's name of the real collection, for the report. */
  readonly name: string;
  readonly batchSize: number;
  /** Documents shown before and after in the report. */
  readonly deltaSample: number;
  /** Whether to keep a migrated document's original, for the parity validators. */
  readonly keepOriginal?: (key: DocKey) => boolean;
  /** Called between batches: the CLI renews its lease here. */
  readonly heartbeat?: () => Promise<void>;
  readonly onProgress?: (examined: number) => void;
}

export type SandboxCounts = Omit<CollectionDryRun, 'estimatedDocuments' | 'estimatedSeconds' | 'eta'>;

export interface SandboxPassResult {
  readonly counts: SandboxCounts;
  readonly roundTrip: { checked: number; mismatched: number; problems: DocumentProblem[] };
  /** Originals kept for parity, by key id. */
  readonly originals: Map<string, JsonObject>;
  /** The pass's time, unrounded: a small sandbox on SQLite passes in under a millisecond. */
  readonly passMs: number;
  /** Documents the sandbox held, counted by the pass (its store's estimate may lag). */
  readonly sandboxDocuments: number;
}

/**
 * Runs the migration over every document of a sandbox collection, a batch at a time, with the
 * same per-document decision apply makes (`planDocument`: renames, then `up`), and writes the
 * results back into the sandbox. A document the migration fails on (`up` throws, returns something
 * that is not a document, changes the key, or the document is at an unexpected version) is
 * counted and listed with its key and the reason, and left as it was; the pass goes on. So is a
 * document whose rewrite would break the collection's contract. When the
 * migration has `down`, each migrated document is also taken back down and compared with what
 * `up` was given.
 */
export async function migrateSandbox(pass: SandboxPass): Promise<SandboxPassResult> {
  const { rewrite, collection } = pass;
  const started = performance.now();
  const counts = { examined: 0, changed: 0, unchanged: 0, failed: 0 };
  const failures: DocumentProblem[] = [];
  const deltas = new KeptByHash<DocumentDelta>(pass.deltaSample, 'delta');
  const roundTrip = { checked: 0, mismatched: 0, problems: [] as DocumentProblem[] };
  const originals = new Map<string, JsonObject>();
  const fail = (key: DocKey | undefined, reason: string) => {
    counts.failed++;
    if (failures.length < maxListedFailures) failures.push({ key: key ?? null, reason });
  };
  for await (const page of scanPages(collection, { limit: pass.batchSize })) {
    const writes: { key: DocKey; op: WriteOp }[] = [];
    for (const doc of page.docs) {
      counts.examined++;
      const plan = planDocument(doc, rewrite);
      if (plan.kind === 'at-target' || plan.kind === 'unchanged') counts.unchanged++;
      else if (plan.kind === 'failed') fail(plan.key, plan.reason);
      else {
        const { key, next } = plan;
        // An upsert: the store's bulk path (BatchWriteItem on DynamoDB, not a transaction per 100
        // documents). The sandbox is the dry run's own, under its lease: nothing deletes from it.
        writes.push({ key, op: { type: 'replace', doc: next, upsert: true } });
        deltas.offer(keyId(key), () => ({ key, before: doc, after: next }));
        if (pass.keepOriginal?.(key)) originals.set(keyId(key), doc);
        if (rewrite.versioned && rewrite.migration.down) checkRoundTrip(rewrite, doc, next, key, roundTrip);
      }
    }
    const results = writes.length > 0 ? await collection.write(writes.map((w) => w.op)) : [];
    for (const [i, result] of results.entries()) {
      if (result.status === 'ok') counts.changed++;
      else {
        const why = result.status === 'failed' ? result.reason : result.status;
        fail(writes[i]!.key, `the sandbox refused the migrated document: ${why}`);
      }
    }
    pass.onProgress?.(counts.examined);
    await pass.heartbeat?.();
  }
  const passMs = performance.now() - started;
  const sorted = [...failures].sort((a, b) => JSON.stringify(a.key).localeCompare(JSON.stringify(b.key)));
  return {
    counts: {
      collection: pass.name,
      ...counts,
      failures: sorted,
      failuresOmitted: counts.failed - failures.length,
      deltas: deltas.items(),
      durationMs: Math.round(passMs),
    },
    roundTrip,
    originals,
    passMs,
    sandboxDocuments: counts.examined,
  };
}

function checkRoundTrip(
  rewrite: CollectionRewrite,
  original: JsonObject,
  migrated: JsonObject,
  key: DocKey,
  out: SandboxPassResult['roundTrip'],
): void {
  out.checked++;
  // down() undoes up(), not the renames that ran before it: compare with what up() was given.
  const given = rewrite.renames.length === 0 ? original : planInput(original, rewrite);
  const problem = roundTripProblem(
    rewrite.migration,
    given,
    migrated,
    rewrite.keyField,
    rewrite.versionField,
  );
  if (problem === undefined) return;
  out.mismatched++;
  if (out.problems.length < maxListedRoundTrips) out.problems.push({ key, reason: problem });
}

function planInput(original: JsonObject, rewrite: CollectionRewrite): JsonObject {
  // The renames alone, unchecked: the document before `up` is not at the contract's target.
  const renamed = planDocument(original, { ...rewrite, versioned: false, conforms: undefined });
  return renamed.kind === 'write' ? renamed.next : original;
}
