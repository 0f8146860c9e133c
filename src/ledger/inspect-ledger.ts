import type { Store } from '../stores/store.js';
import { type StoredAuditVerification, verifyStoredAuditChain } from './audit-records.js';
import { ledgerNamespace } from './ledger-namespace.js';

/** What a look at a ledger finds: not created yet, or there with its audit log verified. */
export type LedgerInspection =
  | { readonly created: false }
  | { readonly created: true; readonly audit: StoredAuditVerification };

/**
 * Looks at the ledger in `store` without creating anything (unlike `openLedger`): a ledger no job
 * has used yet is reported as such, otherwise its audit log is verified. For `steward doctor`.
 */
export async function inspectLedger(store: Store, prefix?: string): Promise<LedgerInspection> {
  const namespace = ledgerNamespace(store, prefix);
  const exists = (await store.listCollections()).includes(namespace.audit.name);
  if (!exists) return { created: false };
  return { created: true, audit: await verifyStoredAuditChain(store.collection(namespace.audit)) };
}
