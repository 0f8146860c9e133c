import { formatCount } from '../../core/format-count.js';
import { ExitCode } from '../../errors/steward-error.js';
import type { AuditRecord } from '../../ledger/audit-chain.js';
import { migrateHistory } from '../../workspace/migrations/migrate-history.js';
import type { Command } from '../command.js';
import { configFor } from '../config-for.js';
import { intOption } from '../int-option.js';
import { runOptionsFor } from '../run-options-for.js';

/** `steward migrate history`: the changelog and the audit records of every migration stage. */
export const migrateHistoryCommand: Command = {
  path: ['migrate', 'history'],
  summary: 'the changelog and the audit records of every migration stage',
  usage: '[--limit N]',
  description:
    'Prints the changelog (one line per migration ever applied: status, plan, counts) and the audit\n' +
    'records of the migration stages (plan, dry-run, approve, apply, rollback) and of migration\n' +
    'approvals, oldest first: who, when, which plan hash, what counts. Writes nothing.',
  options: { limit: { type: 'string', default: '50' } },
  optionHelp: { limit: 'show the last N audit records (default 50; 0 for all)' },
  async run(ctx) {
    const limit = intOption(ctx, 'limit', 50, 0);
    const config = await configFor(ctx);
    const { changelog, audit: records } = await migrateHistory(config, { limit }, runOptionsFor(ctx));
    ctx.output.result({ changelog, audit: records });
    ctx.output.line(`changelog (${formatCount(changelog.length)}):${changelog.length === 0 ? ' empty' : ''}`);
    for (const r of changelog)
      ctx.output.line(
        `  ${r.id}  ${r.status}  plan ${r.planHash.slice(0, 12)}  ${formatCount(r.counts.changed)} changed, ${formatCount(r.counts.failed)} failed` +
          `${r.appliedAt ? `, applied ${r.appliedAt}` : ''}${r.rolledBackAt ? `, rolled back ${r.rolledBackAt}` : ''}`,
      );
    ctx.output.line(
      `audit (${formatCount(records.length)}${limit > 0 ? `, the last ${limit} at most` : ''}):`,
    );
    for (const r of records)
      ctx.output.line(`  #${r.seq} ${r.at} ${r.actor} ${r.action} ${r.subject.slice(0, 12)} ${summary(r)}`);
    return ExitCode.ok;
  },
};

/** A few telling details of a record on one line: counts, report hash, approver, migrations. */
function summary(record: AuditRecord): string {
  const d = record.details ?? {};
  const parts: string[] = [];
  for (const field of [
    'migration',
    'migrations',
    'approver',
    'role',
    'ok',
    'reportHash',
    'totals',
    'counts',
    'reason',
  ])
    if (d[field] !== undefined) parts.push(`${field}=${JSON.stringify(d[field])}`);
  return parts.join(' ');
}
