import { policyFor } from '../../approvals/approval-policy.js';
import type { JsonObject } from '../../core/json.js';
import { ExitCode, isStewardError } from '../../errors/steward-error.js';
import { applyJob, migrateLease } from '../../migrations/apply/apply-context.js';
import { parseApplyState } from '../../migrations/apply/apply-state.js';
import type { LoadedPlan } from '../../migrations/plan/load-plan.js';
import { readMigrationsState } from '../../migrations/plan/migrations-state.js';
import {
  migrationsApprovalKind,
  type PlanApprovalStatus,
  planApprovalProblems,
  planApprovals,
} from '../../migrations/plan/plan-approvals.js';
import { rollbackJob } from '../../migrations/rollback/rollback-context.js';
import type { Command } from '../command.js';
import type { Output } from '../output.js';
import { ownersOf } from './migrate-approve.js';
import { type MigrationsRun, withMigrations } from './migrate-plan.js';

/** `steward migrate status`: where every migration stands, and whether the plan may be applied. */
export const migrateStatusCommand: Command = {
  path: ['migrate', 'status'],
  summary: 'pending, applied and in-progress migrations, the dry run and approvals of the plan',
  description:
    'Shows the current plan hash and its pending migrations; the applied ones (from the changelog);\n' +
    'any in progress, with the phase and counts of its checkpoint and who holds the migrate lease;\n' +
    "the plan's latest dry run (as the ledger recorded it); and the approvals of its report, with\n" +
    'whether they meet approvalPolicies.migrations (never while that dry run failed).\n' +
    'Writes nothing. Exit 0 (2 when the migration files cannot be loaded).',
  async run(ctx) {
    return withMigrations(ctx, async (run) => {
      const status = await readStatus(run);
      ctx.output.result(status);
      render(ctx.output, status);
      return ExitCode.ok;
    });
  },
};

interface Status {
  readonly planHash: string | null;
  /** Why there is no plan hash: the problems `migrate plan` would refuse on. */
  readonly planProblem: string | null;
  readonly pending: readonly { id: string; description: string }[];
  readonly applied: readonly { id: string; appliedAt: string | null; planHash: string }[];
  readonly inProgress: readonly { id: string; status: string; phase: string | null; counts: unknown }[];
  readonly checkpoints: { readonly apply: unknown; readonly rollback: unknown };
  readonly lease: { holder: string; expiresAt: string } | null;
  readonly dryRun: { report: string; hash: string; ok: boolean; createdAt: string } | null;
  readonly approvals:
    | (Omit<PlanApprovalStatus, 'approvals' | 'dryRun'> & { count: number; required: number })
    | null;
}

async function readStatus(run: MigrationsRun): Promise<Status> {
  const state = await readMigrationsState(run.config, run.ledger, run.migrations);
  let loaded: LoadedPlan | undefined;
  let planProblem: string | null = null;
  try {
    loaded = await run.loadPlan();
  } catch (error) {
    if (!isStewardError(error) || error.exitCode !== ExitCode.usage) throw error;
    planProblem = error.message;
  }
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
          owners: ownersOf(plan, loaded.state),
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

function approvalsOf(status: PlanApprovalStatus, required: number): NonNullable<Status['approvals']> {
  const { approvals, dryRun: _dryRun, ...rest } = status;
  return { ...rest, count: approvals.length, required };
}

function render(output: Output, s: Status): void {
  if (s.planHash) output.line(`plan ${s.planHash}`);
  if (s.planProblem) output.line(`no plan: ${s.planProblem}`);
  output.line(`pending (${s.pending.length}):${s.pending.length === 0 ? ' none' : ''}`);
  for (const p of s.pending) output.line(`  ${p.id}  ${p.description}`);
  output.line(`applied (${s.applied.length}):${s.applied.length === 0 ? ' none' : ''}`);
  for (const a of s.applied)
    output.line(`  ${a.id}  applied ${a.appliedAt ?? '?'} under plan ${a.planHash.slice(0, 12)}`);
  for (const p of s.inProgress)
    output.line(
      `in progress: ${p.id} ${p.status}${p.phase ? ` (phase ${p.phase})` : ''} ${JSON.stringify(p.counts)}`,
    );
  const apply = parseApplyState((s.checkpoints.apply ?? undefined) as JsonObject | undefined);
  if (apply) {
    const p = apply.progress;
    output.line(
      `apply checkpoint: plan ${apply.plan.hash.slice(0, 12)}, migration ${apply.index + 1} of ${apply.plan.ids.length}` +
        (p ? ` (${p.id}, phase ${p.phase}: ${p.counts.changed} changed, ${p.counts.failed} failed)` : ''),
    );
  }
  if (s.checkpoints.rollback)
    output.line('rollback checkpoint: a rollback is unfinished (steward migrate rollback resumes it)');
  if (s.lease) output.line(`the migrate lease is held by ${s.lease.holder} until ${s.lease.expiresAt}`);
  if (s.pending.length === 0) return;
  output.line(
    s.dryRun
      ? `dry run: ${s.dryRun.ok ? 'passed' : 'FAILED'} at ${s.dryRun.createdAt}, report ${s.dryRun.hash}`
      : 'dry run: none for this plan (steward migrate dry-run)',
  );
  const a = s.approvals;
  if (a) {
    const who = a.approvedBy.length > 0 ? ` by ${a.approvedBy.join(', ')}` : '';
    const of = a.reportHash ? ` of report ${a.reportHash.slice(0, 12)}` : '';
    output.line(
      `approvals${of}: ${a.approvedBy.length} valid of ${a.required} needed${who}: ` +
        (a.ok ? 'quorum met' : `not met (${planApprovalProblems(a).join('; ')})`),
    );
  }
}
