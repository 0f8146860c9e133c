import type { Approval } from '../../approvals/approval.js';
import { recordApproval } from '../../approvals/approval-ledger.js';
import { policyFor } from '../../approvals/approval-policy.js';
import type { ResolvedConfig } from '../../config/resolved-config.js';
import { StewardError } from '../../errors/steward-error.js';
import type { PlanApprovalStatus } from '../../migrations/plan/plan-approvals.js';
import {
  assertMigrationSubject,
  migrationApprovalSubject,
  migrationsApprovalKind,
  planApprovalProblems,
  planApprovals,
} from '../../migrations/plan/plan-approvals.js';
import { readDryRunReport, reportFileFor } from '../../migrations/report/report-files.js';
import { type Signer, signApprovalFor } from '../approvals.js';
import { actorOf, type RunOptions } from '../run-options.js';
import { planOwners } from './plan-owners.js';
import { withMigrations } from './with-migrations.js';

/** The plan an approver signs, the dry-run report they read, and how they sign. */
export interface MigrateApproveInput {
  /** The plan hash `migratePlan` gave: refused when it is not the current plan. */
  readonly planHash: string;
  /** The dry-run report file; default `<reports folder>/<plan-hash>.json`. */
  readonly reportFile?: string;
  /** Who signs, with which key and role, for how long (the subject and kind are the plan's). */
  readonly signer: Signer;
}

/** What `migrateApprove` stored, and whether the approvals now meet the policy. */
export interface MigrateApproveResult {
  readonly id: string;
  readonly status: 'recorded' | 'already-recorded';
  readonly approval: Approval;
  readonly reportHash: string;
  readonly quorum: Pick<PlanApprovalStatus, 'ok' | 'approvedBy' | 'problems'>;
  /** Why the approvals do not meet the policy yet, one sentence each; empty when they do. */
  readonly quorumProblems: string[];
}

/**
 * Signs {plan hash, dry-run report hash} as an approval of kind `migrations`, stores it
 * insert-only in the ledger and audits it (`migrate.approve`), then says whether the approvals
 * meet `approvalPolicies.migrations`. Refuses (usage) when the plan hash is not the current plan,
 * when the report is not the dry run of that plan, when it is not the latest dry run of the plan
 * the ledger recorded, or when the dry run failed.
 */
export function migrateApprove(
  config: ResolvedConfig,
  input: MigrateApproveInput,
  options: RunOptions = {},
): Promise<MigrateApproveResult> {
  return withMigrations(config, actorOf(options), async (run) => {
    const { plan, state } = await run.loadPlan();
    if (plan.migrations.length === 0)
      throw new StewardError('usage', 'nothing is pending: there is no plan to approve');
    if (input.planHash !== plan.hash)
      throw new StewardError(
        'usage',
        `${input.planHash} is not the current plan (${plan.hash}): the migrations, the store or the options changed since. ` +
          'Run "steward migrate plan" and "steward migrate dry-run" again, and approve what they print.',
        { planHash: plan.hash },
      );
    const file = input.reportFile ?? reportFileFor(run.reportsDir, plan.hash);
    const { report, hash } = readDryRunReport(file);
    if (report.planHash !== plan.hash)
      throw new StewardError(
        'usage',
        `${file} is the dry run of plan ${report.planHash}, not of ${plan.hash}`,
      );
    if (!report.ok)
      throw new StewardError(
        'usage',
        `the dry run in ${file} failed; fix the migration (or its validators), dry-run again and approve that`,
      );
    const subject = migrationApprovalSubject(plan.hash, hash);
    await assertMigrationSubject(run.ledger, subject, plan.hash);
    const approval = signApprovalFor(run.config, { ...input.signer, subject, kind: migrationsApprovalKind });
    const stored = await recordApproval(run.ledger, approval, new Date().toISOString());
    await run.ledger.audit.append({
      action: 'migrate.approve',
      subject: plan.hash,
      details: { reportHash: hash, approval: stored.id, approver: approval.approver, role: approval.role },
    });
    const status = await planApprovals(run.ledger, {
      planHash: plan.hash,
      policy: policyFor(run.config.approvalPolicies, migrationsApprovalKind),
      approvers: run.config.approvers,
      now: Date.now(),
      owners: planOwners(plan, state),
    });
    return {
      ...stored,
      approval,
      reportHash: hash,
      quorum: { ok: status.ok, approvedBy: status.approvedBy, problems: status.problems },
      quorumProblems: status.ok ? [] : planApprovalProblems(status),
    };
  });
}
