import { formatCount } from '../../core/format-count.js';
import type { JsonObject } from '../../core/json.js';
import { ExitCode } from '../../errors/steward-error.js';
import { parseApplyState } from '../../migrations/apply/apply-state.js';
import { policyLine } from '../../migrations/apply/render-apply-report.js';
import { planApprovalProblems } from '../../migrations/plan/plan-approvals.js';
import { type MigrateStatus, migrateStatus } from '../../workspace/migrations/migrate-status.js';
import type { Command } from '../command.js';
import { configFor } from '../config-for.js';
import type { Output } from '../output.js';
import { runOptionsFor } from '../run-options-for.js';

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
    const config = await configFor(ctx);
    const status = await migrateStatus(config, runOptionsFor(ctx));
    ctx.output.result(status);
    render(ctx.output, status);
    return ExitCode.ok;
  },
};

function render(output: Output, s: MigrateStatus): void {
  if (s.planHash) output.line(`plan ${s.planHash}`);
  if (s.planProblem) output.line(`no plan: ${s.planProblem}`);
  output.line(`pending (${formatCount(s.pending.length)}):${s.pending.length === 0 ? ' none' : ''}`);
  for (const p of s.pending) output.line(`  ${p.id}  ${p.description}`);
  output.line(`applied (${formatCount(s.applied.length)}):${s.applied.length === 0 ? ' none' : ''}`);
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
        (p
          ? ` (${p.id}, phase ${p.phase}: ${formatCount(p.counts.changed)} changed, ${formatCount(p.counts.failed)} failed)`
          : ''),
    );
  }
  if (s.checkpoints.rollback)
    output.line('rollback checkpoint: a rollback is unfinished (steward migrate rollback resumes it)');
  if (s.lease) output.line(`the migrate lease is held by ${s.lease.holder} until ${s.lease.expiresAt}`);
  if (s.pending.length === 0 && !apply) return;
  output.line(
    s.dryRun
      ? `dry run: ${s.dryRun.ok ? 'passed' : 'FAILED'} at ${s.dryRun.createdAt}, report ${s.dryRun.hash}`
      : 'dry run: none for this plan (steward migrate dry-run)',
  );
  output.line(policyLine(s.policy));
  const a = s.approvals;
  if (a) {
    const who = a.approvedBy.length > 0 ? ` by ${a.approvedBy.join(', ')}` : '';
    const of = a.reportHash ? ` of report ${a.reportHash.slice(0, 12)}` : '';
    output.line(
      `approvals${of}: ${formatCount(a.approvedBy.length)} valid of ${a.required} needed${who}: ` +
        (a.ok ? 'quorum met' : `not met (${planApprovalProblems(a).join('; ')})`),
    );
  }
}
