import type { CollectionSpec, Store } from '../stores/store.js';
import { verifyAuditChain } from './audit-chain.js';
import { type StoredAuditVerification, verifyStoredAuditChain } from './audit-records.js';
import { ledgerNamespace } from './ledger-namespace.js';
import { recordedAuditHeads } from './recorded-heads.js';

/**
 * Verifies a ledger's audit log without creating anything, for checks that only read (`doctor`).
 * Undefined when the ledger was never created. A log whose collection is gone while the witness
 * or checkpoints remain is verified as an empty log, so the heads they recorded show that it
 * shrank, instead of "not created yet".
 */
export async function verifyExistingAuditLog(
  store: Store,
  prefix?: string,
): Promise<StoredAuditVerification | undefined> {
  const namespace = ledgerNamespace(store, prefix);
  const existing = new Set(await store.listCollections());
  const ifExists = (spec: CollectionSpec) => (existing.has(spec.name) ? store.collection(spec) : undefined);
  const audit = ifExists(namespace.audit);
  const witness = ifExists(namespace.auditWitness);
  const checkpoints = ifExists(namespace.checkpoints);
  if (!audit && !witness && !checkpoints) return undefined;
  const recorded = await recordedAuditHeads({ witness, checkpoints });
  if (audit) return verifyStoredAuditChain(audit, { recorded });
  return { ...(await verifyAuditChain([], { recorded })), head: undefined };
}
