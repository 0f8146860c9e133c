import type { LoadedContracts } from '../../contracts/load-contracts.js';
import type { Collection, CollectionSpec, Store } from '../../stores/store.js';
import { documentCollections } from '../apply/migration-collections.js';
import type { Migration } from '../migration.js';
import type { DryRunReport, MigrationDryRun, SandboxSummary } from '../report/dry-run-report.js';
import { defaultParitySample } from '../validators/run-validators.js';
import { cpuContention } from './cpu-contention.js';
import { dryRunMigration } from './dry-run-migration.js';
import { summarizeDryRun } from './dry-run-summary.js';
import { copyIntoSandbox, sandboxImagesSpec, sandboxSpec } from './sandbox.js';
import { probeWriteGrowth } from './write-growth-probe.js';

/** A collection a migration rewrites: where it lives and how its documents carry their version. */
export interface DryRunTarget {
  /** steward's name of the collection. */
  readonly name: string;
  /** The store's name in the config, for the report. */
  readonly storeName: string;
  readonly store: Store;
  readonly spec: CollectionSpec;
  /** The field documents carry their schema version in, as the config declares it (as apply reads it). */
  readonly versionField: string;
}

export interface DryRunInput {
  readonly planHash: string;
  /**
   * The plan's canary percent: with the plan hash it fixes which documents apply's canary holds,
   * so the dry run judges the canary's gates on exactly those documents, as apply will.
   */
  readonly canaryPercent?: number;
  /** The pending migrations, in order. */
  readonly migrations: readonly Migration[];
  /** Every collection whose documents the migrations rewrite (`documentCollections`), by steward name. */
  readonly targets: ReadonlyMap<string, DryRunTarget>;
  /** A collection validators name that no migration rewrites: read where it is, never written. */
  readonly otherCollection: (name: string) => Collection;
  readonly contracts: LoadedContracts;
  /** Sandboxes are named `<sandboxPrefix>sandbox_<collection>`: the ledger's prefix. */
  readonly sandboxPrefix: string;
  /** Copy a deterministic sample of at least this many documents per collection; default all. */
  readonly sample?: number;
  readonly batchSize: number;
  /** Documents shown before and after per collection. Default 5. */
  readonly deltaSample?: number;
  /** Documents parity validators compare. Default 1000. */
  readonly paritySample?: number;
  readonly heartbeat?: () => Promise<void>;
  /** Documents done in the stage named by `label`, of `total` (the sandbox's estimated count) when known. */
  readonly onProgress?: (label: string, done: number, total?: number) => void;
  /** How busy the machine is, for the ETA (default `cpuContention`); tests pass a fixed one. */
  readonly contention?: () => number;
  /** The report's `createdAt`; tests pass a fixed one. */
  readonly now?: () => Date;
}

/**
 * Runs the plan in sandboxes and reports what it would do. Every collection the plan rewrites is
 * copied (or sampled) into a sandbox in its own store; each migration, in order, runs its `before`
 * validators there, `up` over every sandbox document (written back into the sandbox), then its
 * `after` validators plus a check that every document conforms to the contract's schema for the
 * version it carries. The sandboxes are dropped at the end, whether the run succeeded, found
 * problems or threw. The real collections are only read (copied, counted), and nothing is marked
 * applied: a dry run leaves no trace but its report and its audit record, written by the caller.
 */
export async function runDryRun(input: DryRunInput): Promise<DryRunReport> {
  const made: { store: Store; spec: CollectionSpec }[] = [];
  let report: DryRunReport;
  try {
    report = await dryRunInSandboxes(input, made);
  } catch (error) {
    // The run's own error is the one to report; a sandbox that would not drop comes second.
    await dropSandboxes(made).catch(() => undefined);
    throw error;
  }
  await dropSandboxes(made);
  return report;
}

async function dryRunInSandboxes(
  input: DryRunInput,
  made: { store: Store; spec: CollectionSpec }[],
): Promise<DryRunReport> {
  const sandboxes = await makeSandboxes(input, made);
  const ctx = {
    collectionFor: (name: string): Collection => {
      const s = sandboxes.get(name);
      return s ? s.target.store.collection(s.spec) : input.otherCollection(name);
    },
    imagesFor: (name: string): Collection => {
      const s = sandboxes.get(name);
      if (!s) throw new Error(`no sandbox for collection "${name}"`);
      return s.target.store.collection(s.images);
    },
    contention: input.contention ?? cpuContention,
    versionField: (name: string) => input.targets.get(name)!.versionField,
    sourceDocuments: (name: string) => sandboxes.get(name)?.summary.sourceDocuments ?? 0,
    sandboxDocuments: (name: string) => sandboxes.get(name)?.summary.copied,
    probeGrowth: async (name: string, sandboxDocuments: number) => {
      const s = sandboxes.get(name);
      return s ? probeWriteGrowth(s.target.store, s.spec, sandboxDocuments) : undefined;
    },
    contracts: input.contracts,
    sampled: input.sample !== undefined,
    ...(input.canaryPercent === undefined
      ? {}
      : { canary: { planHash: input.planHash, percent: input.canaryPercent } }),
    batchSize: input.batchSize,
    deltaSample: input.deltaSample ?? 5,
    paritySample: input.paritySample ?? defaultParitySample,
    ...(input.heartbeat ? { heartbeat: input.heartbeat } : {}),
    ...(input.onProgress ? { onProgress: input.onProgress } : {}),
  };
  const migrations: MigrationDryRun[] = [];
  for (const migration of input.migrations) migrations.push(await dryRunMigration(migration, ctx));
  return summarizeDryRun({
    planHash: input.planHash,
    createdAt: input.now?.() ?? new Date(),
    sample: input.sample,
    sandboxes: [...sandboxes.values()].map((s) => s.summary),
    migrations,
  });
}

/** Drops every sandbox made, all of them even when one fails; then throws the first failure. */
async function dropSandboxes(made: readonly { store: Store; spec: CollectionSpec }[]): Promise<void> {
  const dropped = await Promise.allSettled(made.map((m) => m.store.dropCollection(m.spec)));
  const failed = dropped.find((d): d is PromiseRejectedResult => d.status === 'rejected');
  if (failed) throw failed.reason;
}

interface Sandbox {
  readonly target: DryRunTarget;
  readonly spec: CollectionSpec;
  /** Its before-images, as apply keeps them in the ledger: `<sandbox>_images`. */
  readonly images: CollectionSpec;
  readonly summary: SandboxSummary;
}

async function makeSandboxes(
  input: DryRunInput,
  made: { store: Store; spec: CollectionSpec }[],
): Promise<Map<string, Sandbox>> {
  const out = new Map<string, Sandbox>();
  for (const name of new Set(input.migrations.flatMap(documentCollections))) {
    const target = input.targets.get(name);
    if (!target) throw new Error(`no dry-run target for collection "${name}"`);
    const spec = sandboxSpec(input.sandboxPrefix, name, target.spec);
    made.push({ store: target.store, spec });
    input.onProgress?.(`copying ${name} into ${spec.name}`, 0);
    const copy = await copyIntoSandbox(target.store, target.spec, spec, input.sample);
    const summary = { collection: name, store: target.storeName, sandbox: spec.name, ...copy };
    const images = sandboxImagesSpec(spec, target.store);
    made.push({ store: target.store, spec: images });
    await target.store.ensureCollection(images);
    out.set(name, { target, spec, images, summary });
  }
  return out;
}
