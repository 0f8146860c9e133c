import type { ResolvedConfig } from '../config/resolved-config.js';
import type { RecordedHead } from '../ledger/audit-chain.js';
import { formatAuditHead } from '../ledger/audit-head-ref.js';
import type { StoredAuditVerification } from '../ledger/audit-records.js';
import { actorOf, type RunOptions } from './run-options.js';
import { withWorkspace } from './workspace.js';

/** What `auditVerify` checks beyond the chain itself. */
export interface AuditVerifyInput {
  /** A head kept outside the store (`parseAuditHead`, `recordedHead`) that the log must still hold. */
  readonly expectHead?: RecordedHead;
}

/** The verification, and the head the log ends at, as `<seq>:<hash>` to keep elsewhere. */
export type AuditVerifyResult = StoredAuditVerification & { readonly auditHead: string };

/**
 * Walks the hash chain of the ledger's audit log page by page (memory stays flat) and reports
 * every changed, removed or reordered record, whether the chain ends at the head, and whether it
 * still holds the heads recorded apart from it (the witness, each job's checkpoint, `expectHead`):
 * a log cut short or deleted whole fails. Reads only.
 */
export function auditVerify(
  config: ResolvedConfig,
  input: AuditVerifyInput = {},
  options: RunOptions = {},
): Promise<AuditVerifyResult> {
  return withWorkspace(config, {}, actorOf(options), async ({ ledger }) => {
    const result = await ledger.audit.verify({ recorded: input.expectHead ? [input.expectHead] : [] });
    return { ...result, auditHead: formatAuditHead(result.tip) };
  });
}
