import { policyFor } from '../../approvals/approval-policy.js';
import type { ResolvedConfig } from '../../config/resolved-config.js';
import { ExitCode, isStewardError } from '../../errors/steward-error.js';
import { applyJob, migrateLease } from '../../migrations/apply/apply-context.js';
import type { LoadedPlan } from '../../migrations/plan/load-plan.js';
import { readMigrationsState } from '../../migrations/plan/migrations-state.js';
import {
  migrationsApprovalKind,
  type PlanApprovalStatus,
  planApprovals,
} from '../../migrations/plan/plan-approvals.js';
import { rollbackJob } from '../../migrations/rollback/rollback-context.js';
import { actorOf, type RunOptions } from '../run-options.js';
import { planOwners } from './plan-owners.js';
import { type MigrationsWorkspace, withMigrations } from './with-migrations.js';

/** Where every migration stands, and whether the plan may be applied. */
export interface MigrateStatus {
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
  const state = await readMigrationsState(run.config, run.ledger, run.migrations);
  const { loaded, planProblem } = await planOrProblem(run);
  const lease = await run.ledger.readLease(migrateLease);
  const plan = loaded?.plan;
  const policy = policyFor(run.config.approvalPolicies, migrationsApprovalKind);
  const approvals =
    plan && loaded && plan.migrations.length > 0
      ? await planApprovals(run.ledger, {
          planHash: plan.hash,
          policy,
          approvers: run.config.approvers,
          now: Date.now(),
          owners: planOwners(plan, loaded.state),
        })
      : undefined;
  return {
    planHash: plan?.hash ?? null,
    planProblem,
    pending: state.pending.map((m) => ({ id: m.id, description: m.description })),
    applied: state.records
      .filter((r) => r.status === 'applied')
      .map((r) => ({ id: r.id, appliedAt: r.appliedAt ?? null, planHash: r.planHash })),
    inProgress: state.records
      .filter((r) => r.status === 'applying' || r.status === 'rolling-back')
      .map((r) => ({ id: r.id, status: r.status, phase: r.phase ?? null, counts: r.counts })),
    checkpoints: {
      apply: (await run.ledger.checkpoints.load(applyJob)) ?? null,
      rollback: (await run.ledger.checkpoints.load(rollbackJob)) ?? null,
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
    approvals: approvals ? approvalsOf(approvals, policy.required) : null,
  };
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
