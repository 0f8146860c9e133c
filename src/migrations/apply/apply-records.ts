import type { JsonObject } from '../../core/json.js';
import {
  type ApplyPhase,
  type ChangelogRecord,
  type MigrationCounts,
  type MigrationStatus,
  saveChangelogRecord,
} from '../changelog.js';
import { type CollectionChecksum, collectionChecksum, emptyChecksum } from '../collection-checksum.js';
import type { Migration } from '../migration.js';
import type { ApplyContext } from './apply-context.js';
import type { ApplyCounts, MigrationProgress } from './apply-state.js';
import { changedCollections, copiesOf } from './migration-collections.js';

/**
 * The records apply leaves: the migration's changelog document (its current state) and audit
 * records (what happened, hash-chained). Every stage writes both, so `migrate status` shows where
 * a run is and the audit log shows who did what with which plan.
 */

/** Writes the changelog record of a migration as the progress says it stands. */
export async function recordApply(
  ctx: ApplyContext,
  migration: Migration,
  progress: MigrationProgress,
  status: MigrationStatus,
  extra: {
    checksumsAfter?: Readonly<Record<string, CollectionChecksum>>;
    appliedAt?: string;
    failedGates?: readonly string[];
  } = {},
): Promise<void> {
  const record: ChangelogRecord = {
    id: migration.id,
    checksum: migration.checksum,
    status,
    phase: changelogPhase(progress),
    planHash: ctx.plan.hash,
    plan: ctx.plan.ids,
    attempt: progress.attempt,
    fromVersion: migration.fromVersion,
    targetVersion: migration.targetVersion,
    collections: changedCollections(migration),
    startedAt: progress.startedAt,
    ...(extra.appliedAt ? { appliedAt: extra.appliedAt } : {}),
    counts: migrationCounts(progress.counts),
    checksumsBefore: hashes(checksumsBefore(migration, progress)),
    checksumsAfter: hashes(extra.checksumsAfter ?? {}),
    ...(extra.failedGates ? { failedGates: extra.failedGates } : {}),
  };
  await saveChangelogRecord(ctx.ledger, record, ctx.lease);
}

/** Appends an audit record about a migration, with the plan hash and counts every record carries. */
export async function auditApply(
  ctx: ApplyContext,
  migration: Migration,
  progress: MigrationProgress,
  action: string,
  details: JsonObject = {},
): Promise<void> {
  await ctx.ledger.audit.append({
    action,
    subject: migration.id,
    details: {
      planHash: ctx.plan.hash,
      attempt: progress.attempt,
      counts: migrationCounts(progress.counts) as unknown as JsonObject,
      ...details,
    },
  });
}

/**
 * The checksum of every collection the migration changes as it was before: the document
 * collections as the canary pass summed them (or, when the `contract` gate stopped that pass, as
 * `settleBefore` completed the sum), copy targets as empty (apply refuses to copy onto a
 * collection holding documents). Partial only while a run is on its way (paused, killed).
 */
export function checksumsBefore(
  migration: Migration,
  progress: MigrationProgress,
): Record<string, CollectionChecksum> {
  const out: Record<string, CollectionChecksum> = { ...(progress.wholeBefore ?? progress.before) };
  for (const op of copiesOf(migration)) out[op.to] = emptyChecksum;
  return out;
}

/**
 * The checksum of every collection the migration changed, after apply: the document collections
 * as the rest pass summed them, the others (copy targets) read now.
 */
export async function checksumsAfter(
  ctx: ApplyContext,
  migration: Migration,
  progress: MigrationProgress,
): Promise<Record<string, CollectionChecksum>> {
  const out: Record<string, CollectionChecksum> = {};
  for (const name of changedCollections(migration))
    out[name] =
      progress.after?.[name] ??
      (await ctx.throttle.during(() => collectionChecksum(ctx.target.collection(name).handle)));
  return out;
}

export function migrationCounts(counts: ApplyCounts): MigrationCounts {
  const { changed, skipped, failed, canary } = counts;
  return { changed, skipped, failed, canary };
}

/** Checksums as JSON for audit details. */
export function checksumDetails(checksums: Readonly<Record<string, CollectionChecksum>>): JsonObject {
  return Object.fromEntries(
    Object.entries(checksums).map(([name, c]) => [name, { count: c.count, hash: c.hash }]),
  );
}

function hashes(checksums: Readonly<Record<string, CollectionChecksum>>): Record<string, string> {
  return Object.fromEntries(Object.entries(checksums).map(([name, c]) => [name, c.hash]));
}

function changelogPhase(progress: MigrationProgress): ApplyPhase {
  switch (progress.phase) {
    case 'start':
    case 'operations':
      return 'operations';
    case 'final':
      return 'rest';
    default:
      return progress.phase;
  }
}
