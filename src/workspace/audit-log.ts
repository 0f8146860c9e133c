import type { ResolvedConfig } from '../config/resolved-config.js';
import type { AuditRecord } from '../ledger/audit-chain.js';
import { actorOf, type RunOptions } from './run-options.js';
import { withWorkspace } from './workspace.js';

/** Which audit records to read: by action prefix, from a sequence number, a page of them. */
export interface AuditLogInput {
  /** Only records whose action starts with this, such as `flag.` or `token.`. */
  readonly action?: string;
  /** Only records from this sequence number on (the log's own cursor). */
  readonly fromSeq?: number;
  readonly offset?: number;
  readonly limit?: number;
}

/** A page of audit records in seq order, with the total that matched. */
export interface AuditLogPage {
  readonly total: number;
  readonly offset: number;
  readonly limit: number;
  readonly records: AuditRecord[];
}

/** Reads the audit log in seq order, filtered and paged; memory holds one page. Reads only. */
export function auditLog(
  config: ResolvedConfig,
  input: AuditLogInput = {},
  options: RunOptions = {},
): Promise<AuditLogPage> {
  const offset = input.offset ?? 0;
  const limit = input.limit ?? 50;
  return withWorkspace(config, {}, actorOf(options), async ({ ledger }) => {
    const records: AuditRecord[] = [];
    let total = 0;
    for await (const record of ledger.audit.records()) {
      if (input.fromSeq !== undefined && record.seq < input.fromSeq) continue;
      if (input.action !== undefined && !String(record.action).startsWith(input.action)) continue;
      if (total >= offset && records.length < limit) records.push(record);
      total += 1;
    }
    return { total, offset, limit, records };
  });
}
