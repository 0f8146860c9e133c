import { performance } from 'node:perf_hooks';
import type { JsonObject } from '../../core/json.js';
import { type ChainTip, genesisHash } from '../../ledger/audit-chain.js';
import { checkpointDocument } from '../../ledger/checkpoints.js';
import { scanPages } from '../../stores/scan-pages.js';
import { type Collection, type DocKey, keyId } from '../../stores/store.js';
import { applyJob, migrateLease } from '../apply/apply-context.js';
import { type CollectionRewrite, planDocument } from '../apply/document-plan.js';
import {
  type PlannedDocument,
  plannedDocument,
  type WrittenDocument,
  writeBatch,
} from '../apply/write-batch.js';
import { batchName } from '../batch-images.js';
import { ChecksumAccumulator, preferredDigestKind } from '../collection-checksum.js';
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
  /** The sandbox copy: with `images`, the only collections this pass writes. */
  readonly collection: Collection;
  /**
   * The sandbox's own before-image collection (keyed like the ledger's backups, dropped with the
   * sandbox): the pass saves each batch's image there, as apply does in the ledger.
   */
  readonly images: Collection;
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

/** What the pass cost, for the ETA: apply's own batch write, timed at the sample's size. */
export interface PassTiming {
  /** The pass's wall time, unrounded: a small sandbox on SQLite passes in under a millisecond. */
  readonly passMs: number;
  /** Of it, waiting for pages of the sandbox: apply reads the collection twice (canary, rest). */
  readonly readMs: number;
  /**
   * The batches written through apply's batch write (see {@link appliedBatch}): their documents,
   * and their wall and CPU time from the page read to the checkpoint saved.
   */
  readonly applied: { readonly documents: number; readonly ms: number; readonly cpuMs: number };
}

/**
 * Which batches go through apply's batch write: every third from the second, or the only one.
 * That times apply's cost per document on a third of the sample without making the dry run cost
 * an apply of it (target: at most 1.5x apply of the sample, BENCHMARKS.md); the others are plain
 * upserts, the store's bulk path.
 */
export function appliedBatch(index: number, last: boolean): boolean {
  return index % 3 === 1 || (index === 0 && last);
}

export interface SandboxPassResult extends PassTiming {
  readonly counts: SandboxCounts;
  readonly roundTrip: { checked: number; mismatched: number; problems: DocumentProblem[] };
  /** Originals kept for parity, by key id. */
  readonly originals: Map<string, JsonObject>;
  /** Documents the sandbox held, counted by the pass (its store's estimate may lag). */
  readonly sandboxDocuments: number;
}

/**
 * Runs the migration over every document of a sandbox collection, a batch at a time, with the
 * same per-document decision apply makes (`planDocument`: renames, then `up`), and writes the
 * results back into the sandbox: every third batch through apply's own batch write (`writeBatch`:
 * the batch's before-image into `images`, then conditional writes; the same digests and checksum;
 * a checkpoint per batch; see {@link appliedBatch}), timed, so that the ETA has apply's cost per
 * document at the sample's size (see `apply-eta.ts`); the others as plain upserts. A document the
 * migration fails on (`up` throws, returns something that is not a document, changes the key, or
 * the document is at an unexpected version) is counted and listed with its key and the reason,
 * and left as it was; the pass goes on. So is a document whose rewrite would break the
 * collection's contract. When the migration has `down`, each migrated document is also taken back
 * down and compared with what `up` was given.
 */
export async function migrateSandbox(pass: SandboxPass): Promise<SandboxPassResult> {
  const { rewrite, collection } = pass;
  const started = performance.now();
  const counts = { examined: 0, changed: 0, unchanged: 0, failed: 0 };
  const failures: DocumentProblem[] = [];
  const deltas = new KeptByHash<DocumentDelta>(pass.deltaSample, 'delta');
  const roundTrip = { checked: 0, mismatched: 0, problems: [] as DocumentProblem[] };
  const originals = new Map<string, JsonObject>();
  // The checksum and digests apply would take on this store (see `DigestKind`).
  const checksum = ChecksumAccumulator.of(preferredDigestKind(collection));
  const texts = checksum.kind === 'stored-text';
  const fail = (key: DocKey | undefined | null, reason: string) => {
    counts.failed++;
    if (failures.length < maxListedFailures) failures.push({ key: key ?? null, reason });
  };
  let readMs = 0;
  const applied = { documents: 0, ms: 0, cpuMs: 0 };
  let after: string | null = null;
  const pages = scanPages(collection, { limit: pass.batchSize, texts })[Symbol.asyncIterator]();
  for (let index = 0; ; index++) {
    const reading = performance.now();
    const next = await pages.next();
    readMs += performance.now() - reading;
    if (next.done) break;
    const page = next.value;
    const asApply = appliedBatch(index, page.next === null);
    const batchStart = performance.now();
    const cpuStart = process.cpuUsage();
    const planned: PlannedDocument[] = [];
    for (let i = 0; i < page.docs.length; i++) {
      const doc = page.docs[i]!;
      const text = page.texts?.[i];
      counts.examined++;
      if (asApply) checksum.add(doc, text);
      const plan = planDocument(doc, rewrite);
      planned.push(asApply ? plannedDocument(doc, plan, checksum.kind, text) : { doc, plan });
      if (plan.kind === 'at-target' || plan.kind === 'unchanged') counts.unchanged++;
      else if (plan.kind === 'write') {
        const { key, next: migrated } = plan;
        deltas.offer(keyId(key), () => ({ key, before: doc, after: migrated }));
        if (pass.keepOriginal?.(key)) originals.set(keyId(key), doc);
        if (rewrite.versioned && rewrite.migration.down)
          checkRoundTrip(rewrite, doc, migrated, key, roundTrip);
      }
    }
    const written = asApply ? await asApplyWrites(pass, planned, after) : await upserted(collection, planned);
    for (const [i, w] of written.entries()) {
      if (w.outcome === 'changed') counts.changed++;
      else if (w.outcome === 'failed') {
        const plan = planned[i]!.plan;
        fail(
          w.key,
          plan.kind === 'write' ? `the sandbox refused the migrated document: ${w.reason}` : w.reason,
        );
      }
    }
    after = page.next;
    if (asApply) {
      await saveCheckpoint(pass.images, pass.name, after, counts, checksum);
      const cpu = process.cpuUsage(cpuStart);
      applied.documents += page.docs.length;
      applied.ms += performance.now() - batchStart;
      applied.cpuMs += (cpu.user + cpu.system) / 1000;
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
    readMs,
    applied,
    sandboxDocuments: counts.examined,
  };
}

/** A batch written as apply writes it (`writeBatch`), its image into the sandbox's images. */
function asApplyWrites(
  pass: SandboxPass,
  planned: readonly PlannedDocument[],
  after: string | null,
): Promise<WrittenDocument[]> {
  const target = {
    backups: pass.images,
    collection: pass.collection,
    name: pass.name,
    versionField: pass.rewrite.versionField,
    migration: pass.rewrite.migration.id,
    attempt: 1,
    stage: 'dry-run',
    batch: batchName('dry-run', after),
    now: new Date().toISOString(),
  };
  return writeBatch(target, planned);
}

/**
 * A batch written as plain upserts (the store's bulk path: BatchWriteItem on DynamoDB, not a
 * transaction per 100 documents), with an outcome per document as `writeBatch` gives them. The
 * sandbox is the dry run's own, under its lease: nothing deletes from it.
 */
async function upserted(
  collection: Collection,
  planned: readonly PlannedDocument[],
): Promise<WrittenDocument[]> {
  const writes = planned.flatMap((p) => (p.plan.kind === 'write' ? [p.plan.next] : []));
  const results =
    writes.length > 0
      ? await collection.write(writes.map((doc) => ({ type: 'replace', doc, upsert: true })))
      : [];
  let w = 0;
  return planned.map(({ doc, plan }): WrittenDocument => {
    if (plan.kind === 'failed')
      return { outcome: 'failed', original: doc, key: plan.key ?? null, reason: plan.reason };
    if (plan.kind !== 'write') return { outcome: 'skipped', original: doc };
    const result = results[w++];
    if (result?.status === 'ok') return { outcome: 'changed', original: doc };
    const why = result?.status === 'failed' ? result.reason : (result?.status ?? 'no result');
    return { outcome: 'failed', original: doc, key: plan.key, reason: why };
  });
}

/**
 * Apply saves its checkpoint after every batch (`ctx.save`: the run's state in the ledger); the
 * pass writes one of about its size into the sandbox's images, so the ETA counts that write too.
 */
async function saveCheckpoint(
  images: Collection,
  name: string,
  after: string | null,
  counts: { examined: number; changed: number; unchanged: number; failed: number },
  checksum: ChecksumAccumulator,
): Promise<void> {
  const state: JsonObject = {
    pass: { collection: name, after },
    counts: { ...counts },
    before: { [name]: { ...checksum.result() } },
  };
  const doc = sandboxCheckpoint(images.spec.keyField, name, state, new Date().toISOString());
  const [result] = await images.write([{ type: 'replace', doc, upsert: true }]);
  if (result?.status !== 'ok')
    throw new Error(
      `the dry run could not save its checkpoint in "${images.spec.name}": ${JSON.stringify(result)}`,
    );
}

/**
 * A run's first lease and an audit head of the stored size: the sandbox holds no lease and keeps
 * no audit log, while apply's checkpoints carry both (its run has written audit records by then).
 */
const standInFence = { name: migrateLease, token: 1 };
const standInHead: ChainTip = { seq: 1, hash: genesisHash };

/**
 * The checkpoint document the pass writes for `state` under the key `dry-run|checkpoint|<name>`:
 * apply's own (`checkpointDocument`, what `Checkpoints.save` stores for its job), with stand-ins
 * for the lease and the audit head. Pure.
 */
export function sandboxCheckpoint(keyField: string, name: string, state: JsonObject, at: string): JsonObject {
  const doc = checkpointDocument({
    job: applyJob,
    state,
    updatedAt: at,
    auditHead: standInHead,
    fence: standInFence,
  });
  return { [keyField]: `dry-run|checkpoint|${name}`, ...doc };
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
