import type { JsonObject } from '../../core/json.js';
import { isStewardError } from '../../errors/steward-error.js';
import { formatAuditHead } from '../../ledger/audit-head-ref.js';
import { applyJob } from '../apply/apply-context.js';
import { copiesOf } from '../apply/migration-collections.js';
import type { TargetCollection } from '../apply/migration-target.js';
import { type ChangelogRecord, type RollbackSummary, saveChangelogRecord } from '../changelog.js';
import {
  type CollectionChecksum,
  collectionChecksum,
  digestKindOf,
  emptyChecksum,
} from '../collection-checksum.js';
import { lineageEvent } from '../lineage.js';
import type { Migration } from '../migration.js';
import { runValidators } from '../validators/run-validators.js';
import type { ValidatorResult } from '../validators/validator-result.js';
import { censusPass } from './census-pass.js';
import { restorePass } from './restore-pass.js';
import { reverseOperations } from './reverse-operations.js';
import type { RollbackContext } from './rollback-context.js';
import type { RollbackProgress } from './rollback-state.js';

/** A migration to roll back: its changelog record, and its file when it is still there. */
export interface RollbackSubject {
  readonly record: ChangelogRecord;
  readonly migration: Migration | undefined;
}

/** How one migration's rollback ended; `verification` once it is rolled back. */
export interface MigrationRollbackOutcome {
  readonly status: 'rolled-back' | 'paused';
  readonly progress: RollbackProgress;
  readonly verification?: RollbackVerification;
}

/** What rollback checks at the end: the `before` validators, and the checksums against apply's. */
export interface RollbackVerification {
  readonly validators: readonly ValidatorResult[];
  readonly checksums: Readonly<Record<string, CollectionChecksum>>;
  /** Null when apply never finished its canary pass, so there is no checksum from before. */
  readonly exact: boolean | null;
  readonly versions: RollbackProgress['census']['versions'];
}

/**
 * Rolls back one migration from wherever its progress stands: start (changelog `rolling-back`),
 * restore of the before-images, census (with `down()` for documents written at the target
 * since), reversal of the collection operations (newest first: copies dropped, indexes put back as
 * they were; see `reverse-operations.ts`), verification
 * (the `before` validators against the original contract version, checksums), done (changelog
 * `rolled-back`). Each step checkpoints before the next. Touches only the collections the
 * migration changed.
 */
export async function rollbackMigration(
  ctx: RollbackContext,
  subject: RollbackSubject,
  start: RollbackProgress,
  reason: string,
): Promise<MigrationRollbackOutcome> {
  let p = start;
  const step = async (next: RollbackProgress) => {
    p = next;
    await ctx.save(p);
  };
  const { record, migration } = subject;
  ctx.onEvent?.({
    type: 'started',
    started: {
      direction: 'down',
      migration: record.id,
      planHash: record.planHash,
      store: ctx.target.storeName,
      collections: record.collections,
      fromVersion: record.targetVersion,
      toVersion: record.fromVersion,
      at: ctx.now(),
    },
  });
  if (p.phase === 'start') {
    await saveChangelogRecord(ctx.ledger, { ...record, status: 'rolling-back' }, ctx.lease);
    // An unfinished apply of this migration is abandoned: its checkpoint must not resume it.
    if (record.status === 'applying') await ctx.ledger.checkpoints.clear(applyJob, ctx.lease);
    await audit(ctx, record, p, 'migration.rollback.started', { reason, previousStatus: record.status });
    await step({ ...p, phase: 'restore' });
  }
  if (p.phase === 'restore') {
    const pass = await restorePass(ctx, migration, p, migration?.collections ?? record.collections);
    if (pass.paused) return { status: 'paused', progress: pass.progress };
    await audit(ctx, record, pass.progress, 'migration.restored');
    await step({ ...pass.progress, phase: 'census' });
  }
  if (p.phase === 'census') {
    const collections = migration?.collections ?? record.collections;
    const pass = await censusPass(
      ctx,
      {
        migration,
        targetVersion: record.targetVersion,
        collections,
        checksumsBefore: record.checksumsBefore,
      },
      p,
    );
    if (pass.paused) return { status: 'paused', progress: pass.progress };
    await step({ ...pass.progress, phase: 'operations' });
  }
  if (p.phase === 'operations')
    await step({ ...p, operations: await reverseOperations(ctx, migration, p.attempt), phase: 'verify' });
  const verification = await verify(ctx, subject, p);
  await finish(ctx, record, p, verification);
  await step({ ...p, phase: 'done' });
  return { status: 'rolled-back', progress: p, verification };
}

async function verify(
  ctx: RollbackContext,
  subject: RollbackSubject,
  p: RollbackProgress,
): Promise<RollbackVerification> {
  const validators = await ctx.throttle.during(() =>
    runValidators({
      validators: subject.migration?.validators?.before ?? [],
      collectionFor: (name) => ctx.target.collection(name).handle,
      contracts: ctx.contracts,
    }),
  );
  const summed = censusChecksums(subject, p);
  const checksums: Record<string, CollectionChecksum> = {};
  const before = subject.record.checksumsBefore;
  for (const name of subject.record.collections)
    checksums[name] =
      summed[name] ??
      (await ctx.throttle.during(() => checksumOrEmpty(ctx.target.collection(name), before[name])));
  const known = Object.keys(checksums).filter((name) => before[name] !== undefined);
  const exact = known.length === 0 ? null : known.every((name) => before[name] === checksums[name]!.hash);
  return { validators, checksums, exact, versions: p.census.versions };
}

/**
 * The checksums the census summed, of collections nothing changed after it: all but copy targets,
 * which the reversal of operations drops. Without the migration file the copies are not known,
 * so then every collection is read again.
 */
function censusChecksums(subject: RollbackSubject, p: RollbackProgress): Record<string, CollectionChecksum> {
  if (!subject.migration) return {};
  const summed = { ...p.census.checksums };
  for (const op of copiesOf(subject.migration)) delete summed[op.to];
  return summed;
}

/**
 * A collection's checksum in the kind of the one apply recorded (`before`), if any; a dropped copy
 * target reads as empty, as it was before apply.
 */
async function checksumOrEmpty(
  collection: TargetCollection,
  before: string | undefined,
): Promise<CollectionChecksum> {
  try {
    return await collectionChecksum(collection.handle, before ? { kind: digestKindOf(before) } : {});
  } catch (error) {
    if (isStewardError(error, 'collection.not-found')) return emptyChecksum;
    throw error;
  }
}

async function finish(
  ctx: RollbackContext,
  record: ChangelogRecord,
  p: RollbackProgress,
  v: RollbackVerification,
): Promise<void> {
  const at = ctx.now();
  const summary: RollbackSummary = {
    counts: p.counts,
    converted: p.converted,
    remainingAtTarget: p.remainingAtTarget,
    checksums: Object.fromEntries(Object.entries(v.checksums).map(([name, c]) => [name, c.hash])),
    exact: v.exact,
  };
  await saveChangelogRecord(
    ctx.ledger,
    { ...record, status: 'rolled-back', rolledBackAt: at, rollback: summary },
    ctx.lease,
  );
  await audit(ctx, record, p, 'migration.rolled-back', {
    checksumsBefore: { ...record.checksumsBefore },
    checksumsAfter: Object.fromEntries(
      Object.entries(v.checksums).map(([name, c]) => [name, { count: c.count, hash: c.hash }]),
    ),
    exact: v.exact,
    census: v.versions as JsonObject,
    remainingAtTarget: p.remainingAtTarget,
    converted: p.converted,
    validators: v.validators.map((r) => ({ name: r.name, ok: r.ok, message: r.message })),
    failures: p.failures.slice(0, 20) as unknown as JsonObject[],
  });
  const lineage = lineageEvent({
    direction: 'down',
    migration: { id: record.id, fromVersion: record.fromVersion, targetVersion: record.targetVersion },
    planHash: record.planHash,
    collections: record.collections.map((collection) => ({
      collection,
      store: ctx.target.storeName,
      documents: p.restoredIn[collection] ?? 0,
    })),
    at,
    actor: ctx.actor,
    auditHead: formatAuditHead(await ctx.ledger.audit.tip()),
  });
  ctx.onEvent?.({ type: 'lineage', lineage });
}

async function audit(
  ctx: RollbackContext,
  record: ChangelogRecord,
  p: RollbackProgress,
  action: string,
  details: JsonObject = {},
): Promise<void> {
  await ctx.ledger.audit.append({
    action,
    subject: record.id,
    details: { planHash: record.planHash, attempt: p.attempt, counts: { ...p.counts }, ...details },
  });
}
