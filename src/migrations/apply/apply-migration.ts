import type { JsonObject } from '../../core/json.js';
import { formatAuditHead } from '../../ledger/audit-head-ref.js';
import { lineageEvent } from '../lineage.js';
import type { Migration } from '../migration.js';
import type { ApplyContext } from './apply-context.js';
import { canaryGates, failedGates, finalGates } from './apply-gates.js';
import {
  auditApply,
  checksumDetails,
  checksumsAfter,
  checksumsBefore,
  recordApply,
} from './apply-records.js';
import type { GateResult, MigrationProgress } from './apply-state.js';
import { runOperations } from './collection-operations.js';
import { documentPass } from './document-pass.js';
import { changedCollections } from './migration-collections.js';
import { settleBefore } from './settle-before.js';

/** How one migration's run ended. */
export interface MigrationRunOutcome {
  readonly status: 'applied' | 'gate-failed' | 'paused';
  readonly progress: MigrationProgress;
  /** After every collection it changed, once applied. */
  readonly checksumsAfter?: Record<string, { count: number; hash: string }>;
}

/**
 * Applies one migration from wherever its progress stands: start (changelog `applying`),
 * collection operations, the canary pass, the canary gates, the rest, the final gates, done
 * (changelog `applied`). Each step saves the checkpoint before the next begins, so a rerun after
 * a crash goes on from the step (and the batch) it was in.
 *
 * A failed gate stops here with `gate-failed`: the changelog and the checkpoint say so, and the
 * run waits for a person (`migrate apply --resume` to go on, `migrate rollback` to undo). With
 * `overrideGate` (that `--resume`), a migration stopped at a gate goes on past it. The `contract`
 * gate is checked on every batch of both passes: a batch holding a document that would break its
 * contract once rewritten stops the pass before anything of it is written.
 */
export async function applyMigration(
  ctx: ApplyContext,
  migration: Migration,
  start: MigrationProgress,
  overrideGate = false,
): Promise<MigrationRunOutcome> {
  let p = start;
  const step = async (next: MigrationProgress) => {
    p = next;
    await ctx.save(p);
  };
  ctx.onEvent?.({ type: 'started', started: started(ctx, migration) });
  if (p.phase === 'start') {
    await recordApply(ctx, migration, p, 'applying');
    await auditApply(ctx, migration, p, 'migration.apply.started', startDetails(migration));
    await step({ ...p, phase: 'operations' });
  }
  if (p.phase === 'operations') {
    const done = await runOperations(ctx, migration, p);
    await auditApply(ctx, migration, done, 'migration.operations', {
      operations: done.operations as unknown as JsonObject[],
    });
    await step({ ...done, phase: 'canary' });
    await recordApply(ctx, migration, p, 'applying');
  }
  if (p.phase === 'gate-failed') {
    if (!overrideGate) return { status: 'gate-failed', progress: p };
    p = await overridden(ctx, migration, p);
  }
  if (p.phase === 'canary') {
    const pass = await documentPass(ctx, migration, p, 'canary');
    if (pass.paused) return { status: 'paused', progress: pass.progress };
    if (pass.stopped) return stoppedAt(ctx, migration, pass.progress, pass.stopped);
    await auditApply(ctx, migration, pass.progress, 'migration.canary', {
      checksumsBefore: checksumDetails(checksumsBefore(migration, pass.progress)),
    });
    await step({ ...pass.progress, phase: 'gates' });
  }
  if (p.phase === 'gates') {
    const gates = await ctx.throttle.during(() => canaryGates(ctx, migration, p));
    p = await passGates(ctx, migration, p, gates, 'rest');
    if (p.phase === 'gate-failed') return { status: 'gate-failed', progress: p };
  }
  if (p.phase === 'rest') {
    await recordApply(ctx, migration, p, 'applying');
    const pass = await documentPass(ctx, migration, p, 'rest');
    if (pass.paused) return { status: 'paused', progress: pass.progress };
    if (pass.stopped) return stoppedAt(ctx, migration, pass.progress, pass.stopped);
    await step({ ...pass.progress, phase: 'final' });
  }
  if (p.phase === 'final') {
    const gates = await ctx.throttle.during(() => finalGates(ctx, migration, p));
    p = await passGates(ctx, migration, p, gates, 'done');
    if (p.phase === 'gate-failed') return { status: 'gate-failed', progress: p };
  }
  return finish(ctx, migration, p);
}

/**
 * A person's decision to go on past the failed gate (`--resume`), audited as
 * `migration.gate-overridden`. Past a `contract` gate that stopped a pass: back into that pass,
 * leaving documents that would break the contract as they are (counted failed). Past the canary
 * gates: on to the rest; past the final gates: done.
 */
async function overridden(
  ctx: ApplyContext,
  migration: Migration,
  p: MigrationProgress,
): Promise<MigrationProgress> {
  // Back into a stopped pass, `before` goes on from where it stopped; the settled sum goes.
  const { stoppedIn, wholeBefore: _, ...rest } = p;
  const stage = stoppedIn ?? (p.gates.some((g) => g.stage === 'final') ? 'final' : 'canary');
  await auditApply(ctx, migration, p, 'migration.gate-overridden', {
    stage,
    failedGates: failedGates(p.gates),
  });
  const next: MigrationProgress = stoppedIn
    ? { ...rest, phase: stoppedIn, acceptNonConforming: true }
    : { ...rest, phase: stage === 'final' ? 'done' : 'rest' };
  await ctx.save(next);
  return next;
}

/**
 * A pass stopped by the `contract` gate: recorded like any failed gate, waiting for a person. A
 * stop in the canary pass first completes the before-checksum (`settleBefore`), so the changelog
 * records it whole and a rollback can tell whether it restored everything exactly.
 */
async function stoppedAt(
  ctx: ApplyContext,
  migration: Migration,
  p: MigrationProgress,
  gate: GateResult,
): Promise<MigrationRunOutcome> {
  const settled = await settleBefore(ctx, migration, p);
  const stopped = await passGates(ctx, migration, settled, [gate], 'rest');
  return { status: 'gate-failed', progress: stopped };
}

/**
 * Records a stage's gate results and returns the progress after them: at `next` when they pass,
 * at `gate-failed` (changelog and audit saying so) when one fails.
 */
async function passGates(
  ctx: ApplyContext,
  migration: Migration,
  p: MigrationProgress,
  gates: GateResult[],
  next: 'rest' | 'done',
): Promise<MigrationProgress> {
  for (const result of gates) ctx.onEvent?.({ type: 'gate', migration: migration.id, result });
  const failed = failedGates(gates);
  const checked: MigrationProgress = { ...p, gates: [...p.gates, ...gates] };
  await auditApply(ctx, migration, checked, 'migration.gates', {
    stage: gates[0]?.stage ?? 'canary',
    ok: failed.length === 0,
    gates: gates as unknown as JsonObject[],
  });
  if (failed.length === 0) {
    const passed: MigrationProgress = { ...checked, phase: next };
    await ctx.save(passed);
    return passed;
  }
  const stopped: MigrationProgress = { ...checked, phase: 'gate-failed' };
  await ctx.save(stopped);
  await recordApply(ctx, migration, stopped, 'applying', { failedGates: failed });
  await auditApply(ctx, migration, stopped, 'migration.gate-failed', { failedGates: failed });
  return stopped;
}

/** Checksums the changed collections, marks the migration applied, audits it and tells lineage. */
async function finish(
  ctx: ApplyContext,
  migration: Migration,
  p: MigrationProgress,
): Promise<MigrationRunOutcome> {
  const after = await checksumsAfter(ctx, migration, p);
  const appliedAt = ctx.now();
  const done: MigrationProgress = { ...p, phase: 'done' };
  await recordApply(ctx, migration, done, 'applied', { checksumsAfter: after, appliedAt });
  await auditApply(ctx, migration, done, 'migration.applied', {
    checksumsBefore: checksumDetails(checksumsBefore(migration, done)),
    checksumsAfter: checksumDetails(after),
    failures: done.failures.slice(0, 20) as unknown as JsonObject[],
  });
  const lineage = lineageEvent({
    direction: 'up',
    migration,
    planHash: ctx.plan.hash,
    collections: changedCollections(migration).map((collection) => ({
      collection,
      store: ctx.target.storeName,
      documents: done.changedIn[collection] ?? 0,
    })),
    at: appliedAt,
    actor: ctx.actor,
    auditHead: formatAuditHead(await ctx.ledger.audit.tip()),
  });
  ctx.onEvent?.({ type: 'lineage', lineage });
  return { status: 'applied', progress: done, checksumsAfter: after };
}

function started(ctx: ApplyContext, migration: Migration) {
  return {
    direction: 'up' as const,
    migration: migration.id,
    planHash: ctx.plan.hash,
    store: ctx.target.storeName,
    collections: changedCollections(migration),
    fromVersion: migration.fromVersion,
    toVersion: migration.targetVersion,
    at: ctx.now(),
  };
}

function startDetails(migration: Migration): JsonObject {
  return {
    collections: changedCollections(migration),
    fromVersion: migration.fromVersion,
    targetVersion: migration.targetVersion,
    checksum: migration.checksum,
  };
}
