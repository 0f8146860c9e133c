import { resolve } from 'node:path';
import { recordApproval } from '../../approvals/approval-ledger.js';
import { policyFor } from '../../approvals/approval-policy.js';
import { ExitCode, StewardError } from '../../errors/steward-error.js';
import type { MigrationPlan } from '../../migrations/plan/migration-plan-view.js';
import type { MigrationsState } from '../../migrations/plan/migrations-state.js';
import {
  assertMigrationSubject,
  migrationApprovalSubject,
  migrationsApprovalKind,
  planApprovalProblems,
  planApprovals,
} from '../../migrations/plan/plan-approvals.js';
import { defaultReportsDir, readDryRunReport, reportFileFor } from '../../migrations/report/report-files.js';
import { approvalFromOptions, approvalOptionHelp, approvalOptions } from '../approval-from-options.js';
import type { Command } from '../command.js';
import { withMigrations } from './migrate-plan.js';

/** `steward migrate approve <plan-hash>`: signs the plan and its dry-run report. */
export const migrateApproveCommand: Command = {
  path: ['migrate', 'approve'],
  summary: 'sign the current plan and its dry-run report with your approver key',
  usage: '<plan-hash> --key <file.key.pem> --approver NAME --role ROLE [--report FILE] [--expires 24h]',
  description:
    'Signs {plan hash, dry-run report hash} as an approval of kind "migrations" (ed25519, see\n' +
    '"steward approvals keygen"), stores it insert-only in the ledger and audits it, then says\n' +
    'whether the approvals now meet approvalPolicies.migrations. Refuses when <plan-hash> is not the\n' +
    'current plan (a migration, the store or an option changed: plan again), when there is no\n' +
    'dry-run report for it (.steward/reports/<plan-hash>.json, or --report), when that report is not\n' +
    'the latest dry run of the plan the ledger recorded, or when the dry run failed.',
  options: { ...approvalOptions, report: { type: 'string' } },
  optionHelp: {
    ...approvalOptionHelp,
    report: 'the dry-run report you read (default .steward/reports/<plan-hash>.json)',
  },
  async run(ctx) {
    const wanted = ctx.positionals[0];
    if (!wanted)
      throw new StewardError('usage', 'name the plan hash to approve, as "steward migrate plan" printed it');
    return withMigrations(ctx, async (run) => {
      const { plan, state } = await run.loadPlan();
      if (plan.migrations.length === 0)
        throw new StewardError('usage', 'nothing is pending: there is no plan to approve');
      if (wanted !== plan.hash)
        throw new StewardError(
          'usage',
          `${wanted} is not the current plan (${plan.hash}): the migrations, the store or the options changed since. ` +
            'Run "steward migrate plan" and "steward migrate dry-run" again, and approve what they print.',
          { planHash: plan.hash },
        );
      const file =
        typeof ctx.options.report === 'string'
          ? resolve(ctx.cwd, ctx.options.report)
          : reportFileFor(resolve(run.projectDir, defaultReportsDir), plan.hash);
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
      const approval = approvalFromOptions(ctx, run.config, { subject, kind: migrationsApprovalKind });
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
        owners: ownersOf(plan, state),
      });
      ctx.output.result({
        ...stored,
        approval,
        reportHash: hash,
        quorum: { ok: status.ok, approvedBy: status.approvedBy, problems: status.problems },
      });
      ctx.output.line(
        `${stored.status === 'recorded' ? 'approved' : 'already approved'}: ${approval.approver} as ${approval.role}, until ${approval.expiresAt}`,
      );
      ctx.output.line(`  plan ${plan.hash}\n  dry-run report ${hash}`);
      ctx.output.line(
        status.ok
          ? `the approvals meet the policy (${status.approvedBy.join(', ')}): next, steward migrate apply`
          : `not enough yet: ${planApprovalProblems(status).join('; ')}`,
      );
      return ExitCode.ok;
    });
  },
};

/** The owners of the collections the plan rewrites, for policies with `includeOwner`. */
export function ownersOf(plan: MigrationPlan, state: MigrationsState): string[] {
  const names = new Set(plan.migrations.flatMap((m) => m.collections));
  return [...new Set(state.contracts.contracts.filter((c) => names.has(c.collection)).map((c) => c.owner))];
}
