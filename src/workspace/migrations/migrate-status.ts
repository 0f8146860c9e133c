import { policyFor } from '../../approvals/approval-policy.js';
import type { ResolvedConfig } from '../../config/resolved-config.js';
import { ExitCode, isStewardError } from '../../errors/steward-error.js';
import { applyJob, migrateLease } from '../../migrations/apply/apply-context.js';
import type { AppliedPolicy } from '../../migrations/apply/apply-report.js';
import { type ApplyState, parseApplyState, runOf } from '../../migrations/apply/apply-state.js';
import type { LoadedPlan } from '../../migrations/plan/load-plan.js';
import { type MigrationsState, readMigrationsState } from '../../migrations/plan/migrations-state.js';
import {
  migrationsApprovalKind,
  type PlanApprovalStatus,
  planApprovals,
} from '../../migrations/plan/plan-approvals.js';
import { rollbackJob } from '../../migrations/rollback/rollback-context.js';
import { actorOf, type RunOptions } from '../run-options.js';
import { appliedPolicy } from './applied-policy.js';
import { planOwners } from './plan-owners.js';
import { type MigrationsWorkspace, withMigrations } from './with-migrations.js';

/** Where every migration stands, and whether the plan may be applied. */
export interface MigrateStatus {
  /** The current plan's hash; while an apply is unfinished, the hash of that run's plan. */
  readonly planHash: string | null;
  /** Why there is no plan hash: the problems `migrate plan` would refuse on. */
  readonly planProblem: string | null;
  readonly pending: readonly { id: string; description: string }[];
  readonly applied: readonly { id: string; appliedAt: string | null; planHash: string }[];
  readonly inProgress: readonly { id: string; status: string; phase: string | null; counts: unknown }[];
  /** The stored checkpoints of an unfinished apply and rollback (see `parseApplyState`), or null. */
  readonly checkpoints: { readonly apply: unknown; readonly rollback: unknown };
  readonly lease: { holder: string; expiresAt: string } | null;
  /** The plan's latest dry run, as the ledger recorded it. */
  readonly dryRun: { report: string; hash: string; ok: boolean; createdAt: string } | null;
  /** The approval policy judged by, and the environment that chose it (as apply states it). */
  readonly policy: AppliedPolicy;
  /** The approvals of the latest dry run's report, and whether they meet the policy. */
  readonly approvals:
    | (Omit<PlanApprovalStatus, 'approvals' | 'dryRun'> & { count: number; required: number })
    | null;
}

/**
 * The current plan hash and its pending migrations; the applied ones (from the changelog); any in
 * progress, with the phase and counts of its checkpoint and who holds the migrate lease; the
 * plan's latest dry run (as the ledger recorded it); and the approvals of its report, with whether
 * they meet `approvalPolicies.migrations` (never while that dry run failed). Writes nothing.
 */
export function migrateStatus(config: ResolvedConfig, options: RunOptions = {}): Promise<MigrateStatus> {
  return withMigrations(config, actorOf(options), readStatus);
}

async function readStatus(run: MigrationsWorkspace): Promise<MigrateStatus> {
  // Read together: each ledger read may wait for the event loop (a SQLite scan yields a turn, a
  // network store a round trip), and `steward serve` answers this beside a running scan job.
  const [state, { loaded, planProblem }, lease, applyCheckpoint, rollbackCheckpoint] = await Promise.all([
    readMigrationsState(run.config, run.ledger, run.migrations),
    planOrProblem(run),
    run.ledger.readLease(migrateLease),
    run.ledger.checkpoints.load(applyJob).then((c) => c ?? null),
    run.ledger.checkpoints.load(rollbackJob).then((c) => c ?? null),
  ]);
  const policy = policyFor(run.config.approvalPolicies, migrationsApprovalKind);
  const current = currentPlan(loaded, state, parseApplyState(applyCheckpoint ?? undefined));
  const approvals = current
    ? await planApprovals(run.ledger, {
        planHash: current.hash,
        policy,
        approvers: run.config.approvers,
        now: Date.now(),
        owners: current.owners,
        ...(current.run ? { run: current.run } : {}),
      })
    : undefined;
  return {
    planHash: current?.hash ?? loaded?.plan.hash ?? null,
    planProblem,
    pending: state.pending.map((m) => ({ id: m.id, description: m.description })),
    applied: state.records
      .filter((r) => r.status === 'applied')
      .map((r) => ({ id: r.id, appliedAt: r.appliedAt ?? null, planHash: r.planHash })),
    inProgress: state.records
      .filter((r) => r.status === 'applying' || r.status === 'rolling-back')
      .map((r) => ({ id: r.id, status: r.status, phase: r.phase ?? null, counts: r.counts })),
    checkpoints: {
      apply: applyCheckpoint,
      rollback: rollbackCheckpoint,
    },
    lease:
      lease && lease.expiresAt > Date.now()
        ? { holder: lease.holder, expiresAt: new Date(lease.expiresAt).toISOString() }
        : null,
    dryRun: approvals?.dryRun
      ? {
          report: approvals.dryRun.report,
          hash: approvals.dryRun.reportHash,
          ok: approvals.dryRun.ok,
          createdAt: approvals.dryRun.createdAt,
        }
      : null,
    policy: appliedPolicy(run.config),
    approvals: approvals ? approvalsOf(approvals, policy.required) : null,
  };
}

/**
 * The plan whose approvals matter now. While an apply is unfinished (waiting at a failed gate,
 * paused, killed) that is the run's plan, from its checkpoint: the changelog counts its migration
 * as applied, so the plan over the files would be another one (the migrations after it), with
 * another hash that nobody approved or will. Otherwise the current plan, when something is pending.
 */
function currentPlan(
  loaded: LoadedPlan | undefined,
  state: MigrationsState,
  apply: ApplyState | undefined,
): { hash: string; owners: string[]; run?: string } | undefined {
  if (apply) {
    const ids = new Set(apply.plan.ids);
    const collections = new Set(state.migrations.filter((m) => ids.has(m.id)).flatMap((m) => m.collections));
    const owners = state.contracts.contracts.filter((c) => collections.has(c.collection)).map((c) => c.owner);
    return { hash: apply.plan.hash, owners: [...new Set(owners)], run: runOf(apply) };
  }
  if (!loaded || loaded.plan.migrations.length === 0) return undefined;
  return { hash: loaded.plan.hash, owners: planOwners(loaded.plan, loaded.state) };
}

function approvalsOf(status: PlanApprovalStatus, required: number): NonNullable<MigrateStatus['approvals']> {
  const { approvals, dryRun: _dryRun, ...rest } = status;
  return { ...rest, count: approvals.length, required };
}

/** The plan, or the usage-class problem `migrate plan` would refuse on. */
async function planOrProblem(
  run: MigrationsWorkspace,
): Promise<{ loaded: LoadedPlan | undefined; planProblem: string | null }> {
  try {
    return { loaded: await run.loadPlan(), planProblem: null };
  } catch (error) {
    if (!isStewardError(error) || error.exitCode !== ExitCode.usage) throw error;
    return { loaded: undefined, planProblem: error.message };
  }
}
