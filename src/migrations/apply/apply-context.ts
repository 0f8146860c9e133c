import type { ApprovalPolicy, Approver } from '../../approvals/approval-policy.js';
import type { MigrationGate } from '../../config/resolve-migrations.js';
import type { LoadedContracts } from '../../contracts/load-contracts.js';
import type { JsonObject } from '../../core/json.js';
import type { Clock } from '../../ledger/clock.js';
import type { Lease } from '../../ledger/lease.js';
import type { Ledger } from '../../ledger/ledger.js';
import type { Collection } from '../../stores/store.js';
import type { Migration } from '../migration.js';
import type { PlanOptions } from '../migration-plan.js';
import { Throttle } from '../throttle.js';
import type { ApplyState, MigrationProgress } from './apply-state.js';
import type { MigrationEventListener } from './migration-events.js';
import type { MigrationTarget } from './migration-target.js';

/** How apply runs, beyond what the plan hash covers (canary percent and batch size). */
export interface ApplySettings {
  /** Documents per second, on average; undefined for no limit. */
  readonly rate?: number;
  /** Fraction (0..1) of documents that may fail before the error-rate gate fails. */
  readonly maxErrorRate: number;
  /** Gates whose failure rolls the migration back at once instead of waiting for a person. */
  readonly autoRollback?: { readonly on: readonly MigrationGate[] };
  /** Documents parity validators compare at the canary gate. Default 1000. */
  readonly paritySample?: number;
}

/** The `migrate` lease: apply and rollback share it, so at most one of them runs per ledger. */
export const migrateLease = 'migrate';
/** The checkpoint job of apply (rollback has its own). */
export const applyJob = 'migrate.apply';

/** What the stages of one apply run share: built once by `applyMigrations`. */
export interface ApplyContext {
  readonly ledger: Ledger;
  readonly target: MigrationTarget;
  readonly backups: Collection;
  readonly lease: Lease;
  readonly throttle: Throttle;
  readonly plan: ApplyState['plan'];
  readonly contracts: LoadedContracts;
  readonly settings: ApplySettings;
  /** Aborting it pauses the run after the batch in flight; rerunning resumes. */
  readonly signal?: AbortSignal;
  readonly onEvent?: MigrationEventListener;
  /** Who runs it, as audit records name them. */
  readonly actor: string;
  /** ISO time now, by the run's clock. */
  now(): string;
  /** Saves the checkpoint with this progress of the current migration, under the lease. */
  save(progress: MigrationProgress): Promise<void>;
  /**
   * The progress total of each collection of each migration (the store's estimate, undefined
   * where it has none), asked once a run: the canary pass counts, the rest pass reuses it. On SQLite a count reads
   * every row of the table, about 4% of apply's CPU at 100k documents (issue 17, fourth pass).
   */
  readonly totals: Map<string, number | undefined>;
}

/** What `applyMigrations` is given. */
export interface ApplyInput {
  readonly ledger: Ledger;
  readonly target: MigrationTarget;
  /** Every migration file, loaded; apply picks the pending ones. */
  readonly migrations: readonly Migration[];
  readonly contracts: LoadedContracts;
  /** The options the plan hash covers: canary percent and batch size. */
  readonly options: PlanOptions;
  readonly settings: ApplySettings;
  readonly approvers: ReadonlyMap<string, Approver>;
  readonly approvalPolicies: ReadonlyMap<string, ApprovalPolicy>;
  /** Unique per process: who holds the `migrate` lease. */
  readonly holder: string;
  /** Who runs it, as audit records name them. */
  readonly actor: string;
  /** Apply the pending migrations up to and including this id only (`migrate apply --to`). */
  readonly to?: string;
  /** A person's decision to go on past a failed gate (`migrate apply --resume`). */
  readonly resume?: boolean;
  /** Default 30 s; renewed at a third of it. A killed run's lease blocks reruns until it expires. */
  readonly leaseTtlMs?: number;
  readonly clock?: Clock;
  /** Aborting pauses after the batch in flight: the checkpoint keeps everything done. */
  readonly signal?: AbortSignal;
  readonly onEvent?: MigrationEventListener;
}

/** The context of a run, with the checkpoint state it saves (see {@link ApplyContext.save}). */
export interface RunContext extends ApplyContext {
  state: ApplyState;
  readonly ttlMs: number;
}

/** Builds a run's context: its throttle on the lease, and `save` writing the checkpoint. */
export function applyContext(
  input: ApplyInput,
  run: { lease: Lease; clock: Clock; ttlMs: number; backups: Collection },
  state: ApplyState,
): RunContext {
  const { lease, clock, ttlMs, backups } = run;
  const ctx: RunContext = {
    ledger: input.ledger,
    target: input.target,
    backups,
    lease,
    ttlMs,
    throttle: new Throttle(lease, ttlMs, clock, input.settings.rate),
    plan: state.plan,
    contracts: input.contracts,
    settings: input.settings,
    actor: input.actor,
    state,
    ...(input.signal ? { signal: input.signal } : {}),
    ...(input.onEvent ? { onEvent: input.onEvent } : {}),
    now: () => new Date(clock()).toISOString(),
    totals: new Map(),
    save: async (progress) => {
      ctx.state = { ...ctx.state, progress };
      await input.ledger.checkpoints.save(applyJob, ctx.state as unknown as JsonObject, lease);
    },
  };
  return ctx;
}
