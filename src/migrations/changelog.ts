import { isJsonObject, type JsonObject } from '../core/json.js';
import { putFenced } from '../ledger/fenced-write.js';
import type { Fence } from '../ledger/lease.js';
import type { Ledger } from '../ledger/ledger.js';
import { readLedgerDoc, withoutKey } from '../ledger/ledger-document.js';
import { scanDocuments } from '../stores/scan-pages.js';
import type { Collection } from '../stores/store.js';
import type { AppliedMigration } from './migration-plan.js';

/**
 * The migrations changelog: one document per migration id in the ledger's `migrations`
 * collection, saying where the migration stands. Apply and rollback write it under the `migrate`
 * lease (fenced writes, so a stale process cannot overwrite a newer one's record); `migrate
 * status` and `migrate history` read it. What happened when is in the audit log; this is the
 * current state only.
 *
 * Status:
 * - `applying`: apply has started it and not finished: it is being applied, or a run died, or a
 *   gate failed and waits for a human (`phase: 'gate-failed'`). It counts as applied for
 *   planning, so it is never planned afresh: `migrate apply` resumes it, `migrate rollback`
 *   reverses what was done.
 * - `applied`: every document was processed and the gates passed.
 * - `rolling-back`: rollback has started it and not finished. Also counted as applied: apply
 *   refuses to start until `migrate rollback` has finished it.
 * - `rolled-back`: every change was reversed. It is pending again and may be applied anew.
 */
export type MigrationStatus = 'applying' | 'applied' | 'rolling-back' | 'rolled-back';

/** Where an applying migration is; `gate-failed` waits for `apply --resume` or `rollback`. */
export type ApplyPhase = 'operations' | 'canary' | 'gates' | 'gate-failed' | 'rest' | 'done';

/** Documents processed by apply (or restored by rollback), by outcome. */
export interface MigrationCounts {
  /** Rewritten (apply) or restored (rollback). */
  readonly changed: number;
  /** Left alone: already at the target version (apply), already as before (rollback). */
  readonly skipped: number;
  /** `up()`/`down()` failed, or the write was refused; each is listed with its key and reason. */
  readonly failed: number;
  /** Of `changed`, those written in the canary stage. */
  readonly canary: number;
}

export const noCounts: MigrationCounts = { changed: 0, skipped: 0, failed: 0, canary: 0 };

export interface ChangelogRecord {
  readonly id: string;
  /** The migration file's checksum when it was (last) applied. */
  readonly checksum: string;
  readonly status: MigrationStatus;
  readonly phase?: ApplyPhase;
  /** The plan hash the run was approved under, and the ids of that plan, in order. */
  readonly planHash: string;
  readonly plan: readonly string[];
  /**
   * Fresh applications of this migration, from 1. Before-images are kept per attempt, so a
   * migration applied again after a rollback never restores the images of the first time.
   */
  readonly attempt: number;
  readonly fromVersion: number;
  readonly targetVersion: number;
  /** Every collection the migration changes: the ones `up` rewrites and the operations' targets. */
  readonly collections: readonly string[];
  readonly startedAt: string;
  readonly appliedAt?: string;
  readonly rolledBackAt?: string;
  readonly counts: MigrationCounts;
  /** Collection checksum hashes (see `collection-checksum.ts`) before apply and after it. */
  readonly checksumsBefore: Readonly<Record<string, string>>;
  readonly checksumsAfter: Readonly<Record<string, string>>;
  /** The gates that failed, when `phase` is `gate-failed`. */
  readonly failedGates?: readonly string[];
  /** What the rollback did, once it has finished. */
  readonly rollback?: RollbackSummary;
}

/** The outcome of a finished rollback, kept on the changelog record. */
export interface RollbackSummary {
  /** `changed`: restored from before-images; `failed`: left as they were, each reported. */
  readonly counts: MigrationCounts;
  /** Documents converted by `down()` (written at the target after apply, or changed since). */
  readonly converted: number;
  /** Documents still at the target version that were not there before apply: 0 when clean. */
  readonly remainingAtTarget: number;
  /** Checksum hashes of the changed collections after the rollback. */
  readonly checksums: Readonly<Record<string, string>>;
  /**
   * True when every one equals `checksumsBefore`: the collections are as they were. Null when
   * apply stopped before its canary pass finished, so there is no checksum from before.
   */
  readonly exact: boolean | null;
}

/** The ledger's changelog collection, created when missing. */
export async function changelogCollection(ledger: Ledger): Promise<Collection> {
  return ledger.openCollection('migrations');
}

/** Every changelog record, sorted by migration id. */
export async function readChangelogRecords(ledger: Ledger): Promise<ChangelogRecord[]> {
  const collection = await changelogCollection(ledger);
  const records: ChangelogRecord[] = [];
  for await (const doc of scanDocuments(collection, { limit: 500 })) {
    const record = asRecord(collection, doc);
    if (record) records.push(record);
  }
  return records.sort((a, b) => a.id.localeCompare(b.id));
}

/** One migration's record, or undefined when it was never applied. */
export async function readChangelogRecord(ledger: Ledger, id: string): Promise<ChangelogRecord | undefined> {
  const collection = await changelogCollection(ledger);
  const doc = await readLedgerDoc(collection, id);
  return doc && asRecord(collection, doc);
}

/**
 * What planning sees as applied (see `pendingMigrations`): records `applied`, `applying` and
 * `rolling-back`. The last two are unfinished runs: counting them as applied means a plan never
 * includes them as fresh migrations, and their file checksums are still checked for edits.
 */
export async function readChangelog(ledger: Ledger): Promise<AppliedMigration[]> {
  return (await readChangelogRecords(ledger)).filter(countsAsApplied).map((r) => ({
    id: r.id,
    checksum: r.checksum,
    appliedAt: r.appliedAt ?? r.startedAt,
  }));
}

/** True for a record that planning treats as applied. */
export function countsAsApplied(record: Pick<ChangelogRecord, 'status'>): boolean {
  return record.status !== 'rolled-back';
}

/** Writes a migration's record under the `migrate` lease; `lease.lost` when a newer run holds it. */
export async function saveChangelogRecord(
  ledger: Ledger,
  record: ChangelogRecord,
  fence: Fence,
): Promise<void> {
  const collection = await changelogCollection(ledger);
  await putFenced(collection, record.id, fence, record as unknown as JsonObject);
}

const statuses = new Set<string>(['applying', 'applied', 'rolling-back', 'rolled-back']);

/**
 * A stored document as a record; undefined for anything else (written by hand). The id is the
 * document's key, whatever the ledger's key field is called (`id` or `_id`).
 */
function asRecord(collection: Collection, stored: JsonObject): ChangelogRecord | undefined {
  const id = stored[collection.spec.keyField];
  const doc = withoutKey(collection, stored);
  if (typeof id !== 'string' || typeof doc.checksum !== 'string') return undefined;
  if (typeof doc.status !== 'string' || !statuses.has(doc.status)) return undefined;
  if (!isJsonObject(doc.counts)) return undefined;
  const { fence: _fence, fenceLease: _lease, ...record } = doc;
  return { ...record, id } as unknown as ChangelogRecord;
}
