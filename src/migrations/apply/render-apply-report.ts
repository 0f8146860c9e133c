import { formatCount } from '../../core/format-count.js';
import { shortChecksum } from '../collection-checksum.js';
import type { AppliedPolicy, ApplyReport, MigrationApplyReport } from './apply-report.js';

/** The apply report as lines for a person: per migration, what it did, the gates, the failures. */
export function renderApplyReport(report: ApplyReport): string[] {
  const lines: string[] = [];
  const plan = report.planHash ? ` (plan ${report.planHash.slice(0, 12)})` : '';
  lines.push(`migrate apply: ${headline(report)}${plan}${report.resumed ? ', resumed' : ''}`);
  if (report.refusal) {
    lines.push(`  refused (${report.refusal.reason}): ${report.refusal.message}`);
    for (const p of report.refusal.problems.slice(0, 20)) lines.push(`    - ${p}`);
  }
  if (report.policy) lines.push(`  ${policyLine(report.policy)}`);
  const a = report.approvals;
  if (a && a.approvedBy.length === 0) lines.push('  approvals: none needed by the policy');
  else if (a) {
    lines.push(
      `  approvals: ${a.approvedBy.join(', ')} (dry-run report ${a.reportHash.slice(0, 12)}), used up by this run`,
    );
    if (a.reused.length > 0)
      lines.push(
        `  ${formatCount(a.reused.length)} of them were used before by a run that was rolled back, and count again: the policy says reuseAfterRollback`,
      );
  }
  for (const m of report.migrations) lines.push(...renderMigration(m));
  return lines;
}

/** "policy: development (environments.development.approvalPolicies.migrations): no approval needed". */
export function policyLine(p: AppliedPolicy): string {
  const needs =
    p.required === 0
      ? 'no approval needed'
      : `${p.required} approval(s) needed${p.includeOwner ? ', one by an owner' : ''}` +
        (p.roles ? ` in role ${p.roles.join(' or ')}` : '');
  return `policy: ${p.environment ?? 'no environment'} (${p.source}): ${needs}`;
}

function headline(report: ApplyReport): string {
  switch (report.status) {
    case 'applied':
      return `${formatCount(report.migrations.length)} migration(s) applied`;
    case 'nothing-pending':
      return 'nothing pending';
    case 'refused':
      return 'refused, nothing was changed';
    case 'gate-failed':
      return 'stopped at a failed gate; run `steward migrate apply --resume` to go on or `steward migrate rollback` to undo';
    case 'rolled-back':
      return 'a gate failed and the migration was rolled back automatically';
    case 'paused':
      return 'paused; rerun to resume';
  }
}

function renderMigration(m: MigrationApplyReport): string[] {
  const { changed, skipped, failed, canary } = m.counts;
  const lines = [
    `  ${m.id} (attempt ${m.attempt}): ${m.status}; ${formatCount(changed)} changed (${formatCount(canary)} in the canary), ${formatCount(skipped)} skipped, ${formatCount(failed)} failed`,
  ];
  for (const op of m.operations)
    lines.push(`    operation ${op.operation}: ${op.status}${op.note ? ` (${op.note})` : ''}`);
  for (const g of m.gates) {
    lines.push(`    gate ${g.gate} (${g.stage}): ${g.ok ? 'pass' : 'FAIL'}: ${g.message}`);
    if (!g.ok) for (const p of g.problems.slice(0, 5)) lines.push(`      - ${p}`);
    if (!g.ok && g.problems.length > 5)
      lines.push(`      ... ${formatCount(g.problems.length - 5)} more in the report`);
  }
  for (const f of m.failures.slice(0, 10))
    lines.push(`    failed ${f.collection} ${JSON.stringify(f.key)}: ${f.reason}`);
  if (m.failures.length > 10 || failed > m.failures.length)
    lines.push(`    ... ${formatCount(failed - Math.min(10, m.failures.length))} more failed document(s)`);
  for (const [name, after] of Object.entries(m.checksumsAfter ?? {})) {
    const before = m.checksumsBefore[name];
    lines.push(
      `    checksum ${name}: ${before ? `${formatCount(before.count)} docs ${shortChecksum(before.hash)}` : '?'} -> ${formatCount(after.count)} docs ${shortChecksum(after.hash)}`,
    );
  }
  return lines;
}
