import type { LoadedContracts } from '../../contracts/load-contracts.js';
import type { JsonObject } from '../../core/json.js';
import { type Collection, type DocKey, keyId } from '../../stores/store.js';
import { canaryView } from '../apply/canary.js';
import { contractAssumeVersion, contractCheck } from '../apply/contract-check.js';
import { documentCollections, renamesOf } from '../apply/migration-collections.js';
import type { Migration, ValidatorDefinition } from '../migration.js';
import type { CollectionDryRun, DocumentProblem, MigrationDryRun } from '../report/dry-run-report.js';
import { inParitySample, paritySampleFraction } from '../validators/parity-validator.js';
import { runValidators } from '../validators/run-validators.js';
import type { ValidatorResult } from '../validators/validator-result.js';
import { estimateApply } from './apply-eta.js';
import { migrateSandbox, type SandboxPassResult } from './migrate-sandbox.js';
import type { WriteGrowth } from './write-growth-probe.js';

/** What one migration's dry run needs: its sandboxes, and how the run is set up. */
export interface MigrationDryRunContext {
  /** The sandbox of a rewritten collection, or the real collection for one only validators read. */
  readonly collectionFor: (name: string) => Collection;
  /** The before-image collection beside a rewritten collection's sandbox (see `migrateSandbox`). */
  readonly imagesFor: (name: string) => Collection;
  /** How busy the machine is (`cpuContention`), taken before and after each pass; default 1. */
  readonly contention?: () => number;
  /** The field each rewritten collection keeps versions in, as apply reads it. */
  readonly versionField: (name: string) => string;
  /** The documents the real collection holds (an estimate), for the full-run estimate. */
  readonly sourceDocuments: (name: string) => number;
  /** The documents copied into a collection's sandbox, when known. */
  readonly sandboxDocuments?: (name: string) => number | undefined;
  /**
   * Times keyed writes in the sandbox of a collection and in a quarter of it, for the ETA (see
   * `write-growth-probe.ts`); undefined for a collection with no sandbox.
   */
  readonly probeGrowth?: (name: string, sandboxDocuments: number) => Promise<WriteGrowth | undefined>;
  readonly contracts: LoadedContracts;
  /** Which documents apply's canary holds (see `inCanary`): its gates are judged on them too. */
  readonly canary?: { readonly planHash: string; readonly percent: number };
  /** Set when the sandboxes hold samples: `count` bounds are then skipped. */
  readonly sampled: boolean;
  readonly batchSize: number;
  readonly deltaSample: number;
  readonly paritySample: number;
  readonly heartbeat?: () => Promise<void>;
  /** Documents done in the stage named by `label`, of `total` (the sandbox's estimated count) when known. */
  readonly onProgress?: (label: string, done: number, total?: number) => void;
}

/**
 * Runs one migration in its sandboxes: the `before` validators, the document pass over each
 * collection it rewrites, then the `after` validators with the contract check. Its verdict fails
 * on a failed validator, a failed document or a `down` that does not give a document back. A
 * document that would break its contract once rewritten is a failed document, named with its key
 * and the schema path: apply's `contract` gate would stop on it.
 */
export async function dryRunMigration(
  migration: Migration,
  ctx: MigrationDryRunContext,
): Promise<MigrationDryRun> {
  const common = {
    collectionFor: ctx.collectionFor,
    contracts: ctx.contracts,
    ...(ctx.sampled ? { skipCounts: 'the sandbox holds a sample, so counts are partial' } : {}),
  };
  const before = await runValidators({ ...common, validators: migration.validators?.before ?? [] });
  const collections: CollectionDryRun[] = [];
  const originals = new Map<string, Map<string, JsonObject>>();
  const roundTrip = { checked: 0, mismatched: 0, problems: [] as DocumentProblem[] };
  for (const name of documentCollections(migration)) {
    const pass = await passOver(migration, name, ctx);
    originals.set(name, pass.originals);
    roundTrip.checked += pass.roundTrip.checked;
    roundTrip.mismatched += pass.roundTrip.mismatched;
    roundTrip.problems.push(...pass.roundTrip.problems);
    collections.push(await withEstimate(pass, ctx.sourceDocuments(name), ctx, name));
  }
  const after = await runValidators({
    ...common,
    validators: [...(migration.validators?.after ?? []), ...schemaChecks(migration)],
    sample: ctx.paritySample,
    originals: async (collection, keys) => pick(originals.get(collection), keys),
  });
  after.push(...(await canaryChecks(migration, ctx)));
  const failed = collections.some((c) => c.failed > 0) || roundTrip.mismatched > 0;
  return {
    id: migration.id,
    description: migration.description,
    fromVersion: migration.fromVersion,
    targetVersion: migration.targetVersion,
    ok: !failed && [...before, ...after].every((r) => r.ok),
    collections,
    validators: { before, after },
    operationsNotRehearsed: (migration.operations ?? [])
      .filter((op) => op.kind !== 'rename-field')
      .map(describeOperation),
    roundTrip: migration.down ? roundTrip : null,
  };
}

/** The document pass over one sandbox, keeping originals for parity when the migration has any. */
async function passOver(
  migration: Migration,
  name: string,
  ctx: MigrationDryRunContext,
): Promise<SandboxPassResult & { contention: number }> {
  const sandbox = ctx.collectionFor(name);
  const hasParity = (migration.validators?.after ?? []).some((v) => v.kind === 'parity');
  // The copy counted the sandbox: a count estimate costs a round trip (100-200 ms on FerretDB).
  const total = ctx.sandboxDocuments?.(name) ?? (await sandbox.count({ estimate: true }));
  const fraction = hasParity ? paritySampleFraction(total, ctx.paritySample) : 0;
  ctx.onProgress?.(`${migration.id} on ${name}`, 0, total);
  const before = ctx.contention?.() ?? 1;
  const pass = await migrateSandbox({
    rewrite: {
      migration,
      keyField: sandbox.spec.keyField,
      versionField: ctx.versionField(name),
      assumeVersion: contractAssumeVersion(ctx.contracts, name),
      versioned: migration.collections.includes(name),
      renames: renamesOf(migration, name),
      conforms: contractCheck(ctx.contracts, name, ctx.versionField(name)),
    },
    collection: sandbox,
    images: ctx.imagesFor(name),
    name,
    batchSize: ctx.batchSize,
    deltaSample: ctx.deltaSample,
    ...(hasParity ? { keepOriginal: (key: DocKey) => inParitySample(key, fraction) } : {}),
    ...(ctx.heartbeat ? { heartbeat: ctx.heartbeat } : {}),
    onProgress: (n) => ctx.onProgress?.(`${migration.id} on ${name}`, n, total),
  });
  const after = ctx.contention?.() ?? 1;
  return { ...pass, contention: (before + after) / 2 };
}

/**
 * Apply's canary gate as apply will judge it: the migration's percentage validators (`conforms`)
 * on exactly the canary's documents (fixed by the plan hash), judged with the canary's size. The
 * whole-collection result above can pass while the canary's fails, and the canary cannot be
 * redrawn once the plan is approved: the dry run must say so before anyone approves. Skipped when
 * the sandbox holds a sample, which holds only part of the canary.
 */
async function canaryChecks(migration: Migration, ctx: MigrationDryRunContext): Promise<ValidatorResult[]> {
  const { canary } = ctx;
  const percents = (migration.validators?.after ?? []).filter((v) => v.kind === 'conforms');
  if (!canary || percents.length === 0) return [];
  const named = percents.map((v) => ({ ...v, name: `${v.name} (on the canary, as apply's gate judges it)` }));
  if (ctx.sampled)
    return named.map((v) => ({
      name: v.name,
      kind: v.kind,
      ok: true,
      message:
        "skipped: the sandbox holds a sample, so only part of the canary; dry-run without --sample to see the canary's gate",
      problems: [],
      skipped: true,
    }));
  const rewritten = documentCollections(migration);
  return runValidators({
    validators: named,
    collectionFor: (name) => {
      const c = ctx.collectionFor(name);
      return rewritten.includes(name) ? canaryView(c, canary.planHash, canary.percent) : c;
    },
    contracts: ctx.contracts,
    sampleOf: 'the canary',
  });
}

/**
 * The pass's counts with the time the pass would take on the whole real collection at its pace
 * (`estimatedSeconds`, kept as it was), and the ETA of the real apply (`eta`): when the sandbox
 * holds a sample, keyed writes timed in it and in a quarter of it tell how the cost per document
 * grows with the collection; how busy the machine was during the pass widens its range (see
 * `apply-eta.ts`).
 */
async function withEstimate(
  pass: SandboxPassResult & { contention: number },
  estimatedDocuments: number,
  ctx: MigrationDryRunContext,
  name: string,
): Promise<CollectionDryRun> {
  const perSecond = pass.counts.examined / Math.max(pass.counts.durationMs / 1000, 0.001);
  const estimatedSeconds = Math.round((estimatedDocuments / Math.max(perSecond, 0.001)) * 100) / 100;
  // A sandbox of the whole collection is the size apply meets: nothing to extrapolate.
  const sampled = pass.sandboxDocuments < estimatedDocuments;
  if (sampled && ctx.probeGrowth)
    ctx.onProgress?.(`timing keyed writes in the sandbox of ${name}, for the ETA`, 0);
  const growth = sampled ? await ctx.probeGrowth?.(name, pass.sandboxDocuments) : undefined;
  const eta = estimateApply({
    documents: estimatedDocuments,
    examined: pass.counts.examined,
    passMs: pass.passMs,
    readMs: pass.readMs,
    applied: pass.applied,
    contention: pass.contention,
    sandboxDocuments: pass.sandboxDocuments,
    ...(growth ? { growth } : {}),
  });
  return { ...pass.counts, estimatedDocuments, estimatedSeconds, eta };
}

/**
 * The check every dry run makes after `up`, whatever the migration declares: each collection's
 * documents conform to the contract's schema for the version they carry, so a migration that
 * breaks the target schema on some documents is caught here. A `conforms` validator the migration
 * declares for a collection replaces this one (it may set a lower `minPercent`).
 */
function schemaChecks(migration: Migration): ValidatorDefinition[] {
  const declared = new Set(
    (migration.validators?.after ?? []).filter((v) => v.kind === 'conforms').map((v) => v.collection),
  );
  return migration.collections
    .filter((c) => !declared.has(c))
    .map((collection) => ({
      kind: 'conforms',
      name: `${collection} conforms to its contract (v${migration.targetVersion} after up)`,
      collection,
    }));
}

/** Index and copy operations change collections, not documents: the sandbox does not repeat them. */
function describeOperation(op: NonNullable<Migration['operations']>[number]): string {
  switch (op.kind) {
    case 'create-index':
      return `create-index ${op.name} on ${op.collection} (${op.fields.join(', ')})`;
    case 'drop-index':
      return `drop-index ${op.name} on ${op.collection}`;
    case 'copy-collection':
      return `copy-collection ${op.from} -> ${op.to}`;
    case 'rename-field':
      return `rename-field ${op.from} -> ${op.to} on ${op.collection}`;
  }
}

function pick(
  kept: ReadonlyMap<string, JsonObject> | undefined,
  keys: readonly DocKey[],
): Map<string, JsonObject> {
  const found = new Map<string, JsonObject>();
  for (const key of keys) {
    const doc = kept?.get(keyId(key));
    if (doc) found.set(keyId(key), doc);
  }
  return found;
}
