import type { ResolvedConfig } from '../../config/resolved-config.js';
import type { AuditRecord } from '../../ledger/audit-chain.js';
import { type ChangelogRecord, readChangelogRecords } from '../../migrations/changelog.js';
import { migrationsApprovalKind } from '../../migrations/plan/plan-approvals.js';
import { actorOf, type RunOptions } from '../run-options.js';
import { withMigrations } from './with-migrations.js';

/** The changelog and the audit records of the migration stages, oldest first. */
export interface MigrateHistoryResult {
  readonly changelog: ChangelogRecord[];
  readonly audit: AuditRecord[];
}

/**
 * The changelog (one record per migration ever applied) and the audit records of the migration
 * stages (plan, dry-run, approve, apply, rollback) and of migration approvals: the last `limit`
 * (0 or absent for all). Writes nothing.
 */
export function migrateHistory(
  config: ResolvedConfig,
  input: { readonly limit?: number } = {},
  options: RunOptions = {},
): Promise<MigrateHistoryResult> {
  const limit = input.limit ?? 0;
  return withMigrations(config, actorOf(options), async (run) => {
    const changelog = await readChangelogRecords(run.ledger);
    const records: AuditRecord[] = [];
    for await (const record of run.ledger.audit.records()) {
      if (!isMigrationRecord(record)) continue;
      records.push(record);
      if (limit > 0 && records.length > limit) records.shift();
    }
    return { changelog, audit: records };
  });
}

function isMigrationRecord(record: AuditRecord): boolean {
  if (typeof record.action !== 'string') return false;
  if (record.action.startsWith('migrate.')) return true;
  return record.action === 'approval.recorded' && record.details?.kind === migrationsApprovalKind;
}
