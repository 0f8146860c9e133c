import type { ResolvedConfig } from '../config/resolved-config.js';
import type { StoredAuditVerification } from '../ledger/audit-records.js';
import { actorOf, type RunOptions } from './run-options.js';
import { withWorkspace } from './workspace.js';

/**
 * Walks the hash chain of the ledger's audit log page by page (memory stays flat) and reports
 * every changed, removed or reordered record, and whether the chain ends at the head. Reads only.
 */
export function auditVerify(
  config: ResolvedConfig,
  options: RunOptions = {},
): Promise<StoredAuditVerification> {
  return withWorkspace(config, {}, actorOf(options), ({ ledger }) => ledger.audit.verify());
}
