import { parseFilter } from '../core/filter.js';
import type { JsonObject } from '../core/json.js';
import type { Ledger } from '../ledger/ledger.js';
import { statusOf } from '../ledger/ledger-document.js';
import { scanDocuments } from '../stores/scan-pages.js';
import type { Collection } from '../stores/store.js';
import { type Approval, approvalId, approvalOf, isApproval } from './approval.js';

/** An approval as the ledger holds it: with its id and when it was recorded. */
export interface StoredApproval extends Approval {
  readonly id: string;
  readonly recordedAt: string;
}

/**
 * The ledger's `approvals` collection, created if needed. Approvals are insert-only: steward
 * never changes or removes one, so what was signed stays on record next to the audit trail.
 */
export async function approvalsCollection(ledger: Ledger): Promise<Collection> {
  return ledger.openCollection('approvals');
}

/**
 * Stores a signed approval and audits it. Storing the same approval twice is harmless: the second
 * time finds it and reports `already-recorded`. Verifying it is the caller's business; this only
 * keeps it.
 */
export async function recordApproval(
  ledger: Ledger,
  approval: Approval,
  now: string,
): Promise<{ id: string; status: 'recorded' | 'already-recorded' }> {
  const collection = await approvalsCollection(ledger);
  const id = approvalId(approval);
  const doc: JsonObject = { ...approvalOf(approval), recordedAt: now, [collection.spec.keyField]: id };
  const [result] = await collection.write([{ type: 'insert', doc }]);
  if (statusOf(collection, result) === 'exists') return { id, status: 'already-recorded' };
  await ledger.audit.append({
    action: 'approval.recorded',
    subject: approval.subject,
    details: {
      approval: id,
      kind: approval.subjectKind,
      approver: approval.approver,
      role: approval.role,
      expiresAt: approval.expiresAt,
    },
  });
  return { id, status: 'recorded' };
}

/**
 * The stored approvals, all or those of one subject. Documents that are not approvals (someone
 * wrote to the collection by hand) are skipped: they could never count anyway.
 */
export async function listApprovals(
  ledger: Ledger,
  options: { subject?: string } = {},
): Promise<StoredApproval[]> {
  const collection = await approvalsCollection(ledger);
  const filter = options.subject === undefined ? undefined : parseFilter({ subject: options.subject });
  const out: StoredApproval[] = [];
  for await (const doc of scanDocuments(collection, { ...(filter ? { filter } : {}), limit: 500 })) {
    if (!isApproval(doc)) continue;
    const recordedAt = typeof doc.recordedAt === 'string' ? doc.recordedAt : '';
    out.push({ ...approvalOf(doc), id: String(doc[collection.spec.keyField]), recordedAt });
  }
  return out.sort((a, b) => a.signedAt.localeCompare(b.signedAt) || a.id.localeCompare(b.id));
}
