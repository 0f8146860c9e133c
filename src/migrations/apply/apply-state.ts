import type { MigrationGate } from '../../config/resolve-migrations.js';
import { isJsonObject, type JsonObject } from '../../core/json.js';
import type { DocKey } from '../../stores/store.js';
import type { MigrationCounts } from '../changelog.js';
import type { CollectionChecksum } from '../collection-checksum.js';
import type { PlanOptions } from '../migration-plan.js';

/**
 * What `migrate apply` saves in its checkpoint after every batch, so a run killed at any point
 * resumes where it was and redoes at most the batch in flight. Plain JSON; pure helpers only.
 */
export interface ApplyState {
  /** The approved plan: its hash, its migrations in order and the options it was hashed with. */
  readonly plan: { readonly hash: string; readonly ids: readonly string[]; readonly options: PlanOptions };
  /** Index in `plan.ids` of the migration in progress (or next). */
  readonly index: number;
  readonly startedAt: string;
  /**
   * This run's id: the approvals it used up are recorded as used by it, so they still count when
   * it resumes, and for no other run. Absent on checkpoints older than it (see {@link runOf}).
   */
  readonly run?: string;
  readonly progress?: MigrationProgress;
}

/** `done`: every document processed and the gates passed; the changelog says `applied`. */
export type ProgressPhase =
  | 'start'
  | 'operations'
  | 'canary'
  | 'gates'
  | 'gate-failed'
  | 'rest'
  | 'final'
  | 'done';

/** Where one migration is. */
export interface MigrationProgress {
  readonly id: string;
  readonly attempt: number;
  readonly phase: ProgressPhase;
  /** Collection operations done, in declaration order. */
  readonly operations: readonly OperationResult[];
  /** The document pass in progress: index into `documentCollections` and the scan's resume token. */
  readonly pass: { readonly collection: number; readonly after: string | null };
  readonly counts: ApplyCounts;
  /** Documents changed per collection, for lineage events. */
  readonly changedIn: Readonly<Record<string, number>>;
  /** The first {@link maxListedFailures} documents that failed; `counts.failed` counts them all. */
  readonly failures: readonly DocumentFailure[];
  /** Checksum of each document collection as the canary pass found it, complete once it has passed. */
  readonly before: Readonly<Record<string, CollectionChecksum>>;
  /**
   * The whole before-checksum of a run the `contract` gate stopped in the canary pass: `before`
   * plus what that pass had not read yet (see `settleBefore`). Recorded in its place while the run
   * waits; dropped when `--resume` goes back into the pass, which completes `before` itself.
   */
  readonly wholeBefore?: Readonly<Record<string, CollectionChecksum>>;
  /**
   * Checksum of each document collection as the rest pass left it, complete once it has passed:
   * every document as that pass read it, or as it wrote it (see `documentPass`).
   */
  readonly after?: Readonly<Record<string, CollectionChecksum>>;
  readonly gates: readonly GateResult[];
  readonly startedAt: string;
  /**
   * The pass the `contract` gate stopped, at the batch it stopped at (nothing of which was
   * written); set while the phase is `gate-failed`. `--resume` goes back into that pass.
   */
  readonly stoppedIn?: 'canary' | 'rest';
  /**
   * Set by `--resume` past the `contract` gate: documents that would break the contract are then
   * left as they were and counted as failed, like documents `up` fails on; they are never written.
   */
  readonly acceptNonConforming?: boolean;
}

export interface ApplyCounts extends MigrationCounts {
  /** Documents the canary selected, and of them how many failed: the canary's error rate. */
  readonly canaryDocs: number;
  readonly canaryFailed: number;
}

/** A document `up` (or a rename, or the store) would not take; it is left as it was. */
export interface DocumentFailure {
  readonly collection: string;
  readonly key: DocKey | null;
  readonly reason: string;
}

/** What happened to one collection operation. */
export interface OperationResult {
  readonly operation: string;
  readonly status: 'done' | 'skipped' | 'per-document';
  readonly note?: string;
}

/**
 * One gate's verdict. `stage` is `canary` (before the rest), `final` (after every document), or
 * `rest` (the `contract` gate, stopping the pass over the other documents at a batch).
 */
export interface GateResult {
  readonly gate: MigrationGate;
  readonly stage: 'canary' | 'rest' | 'final';
  readonly ok: boolean;
  readonly message: string;
  readonly problems: readonly string[];
}

/** Failures listed in reports, checkpoints and audit records; the rest are counted. */
export const maxListedFailures = 100;

export const noApplyCounts: ApplyCounts = {
  changed: 0,
  skipped: 0,
  failed: 0,
  canary: 0,
  canaryDocs: 0,
  canaryFailed: 0,
};

/** A migration's progress before anything was done. */
export function freshProgress(id: string, attempt: number, at: string): MigrationProgress {
  return {
    id,
    attempt,
    phase: 'start',
    operations: [],
    pass: { collection: 0, after: null },
    counts: noApplyCounts,
    changedIn: {},
    failures: [],
    before: {},
    after: {},
    gates: [],
    startedAt: at,
  };
}

/** The share of processed documents that failed, 0 when none were processed. */
export function errorRate(failed: number, processed: number): number {
  return processed === 0 ? 0 : failed / processed;
}

/** The run id of a state; a checkpoint saved before runs had ids gets one from its start. */
export function runOf(state: ApplyState): string {
  return state.run ?? `apply-${state.plan.hash.slice(0, 12)}-${state.startedAt}`;
}

/** Reads a saved state back; undefined for anything that is not one (a checkpoint from elsewhere). */
export function parseApplyState(raw: JsonObject | undefined): ApplyState | undefined {
  if (!raw || !isJsonObject(raw.plan) || typeof raw.index !== 'number') return undefined;
  const plan = raw.plan;
  if (typeof plan.hash !== 'string' || !Array.isArray(plan.ids) || !isJsonObject(plan.options))
    return undefined;
  return raw as unknown as ApplyState;
}
