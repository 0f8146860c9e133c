import { parseFilter } from '../core/filter.js';
import { isJsonObject, type JsonObject } from '../core/json.js';
import { StewardError } from '../errors/steward-error.js';
import type { Ledger } from '../ledger/ledger.js';
import { readLedgerDoc, statusOf } from '../ledger/ledger-document.js';
import { scanDocuments } from '../stores/scan-pages.js';
import type { Collection } from '../stores/store.js';
import { type Approval, approvalId, approvalOf, isApproval } from './approval.js';

/**
 * That an approval was used up, and by what. An approval authorises one run of one change: the
 * first run to use it is recorded here, and no other run may count it again. Kept in the approvals
 * collection beside the approval, under `use-<approval id>`, insert-only like the approvals.
 */
export interface ApprovalUse {
  /** The id of the approval used. */
  readonly approval: string;
  /** What the approval approved; stored so that `listApprovals({ subject })` finds the use too. */
  readonly subject: string;
  /** The run that used it, such as one `migrate apply` run (its id is on the run's checkpoint). */
  readonly usedBy: string;
  /** ISO 8601 time of use. */
  readonly usedAt: string;
}

/** An approval as the ledger holds it: with its id, when it was recorded, and its use if any. */
export interface StoredApproval extends Approval {
  readonly id: string;
  readonly recordedAt: string;
  /** Set once a run has used the approval up (see {@link useApprovals}). */
  readonly used?: ApprovalUse;
}

/**
 * The ledger's `approvals` collection, created if needed. Approvals are insert-only: steward
 * never changes or removes one, so what was signed stays on record next to the audit trail. The
 * records of their uses live here too, insert-only as well.
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
 * Marks approvals as used up by a run, and audits it (`approval.used`). Using an approval the same
 * run used before is harmless (a resumed run does it again). An approval another run has used is
 * a `ledger.conflict`: callers check the uses first (see `verifyApprovals`' `uses`) under the
 * lease of the change, so this only happens when two runs raced past that check.
 */
export async function useApprovals(
  ledger: Ledger,
  approvals: readonly Pick<StoredApproval, 'id' | 'subject'>[],
  use: { readonly usedBy: string; readonly usedAt: string },
): Promise<ApprovalUse[]> {
  const collection = await approvalsCollection(ledger);
  const fresh: ApprovalUse[] = [];
  const out: ApprovalUse[] = [];
  for (const a of approvals) {
    const record: ApprovalUse = { approval: a.id, subject: a.subject, ...use };
    const key = useKey(a.id);
    const doc: JsonObject = { ...record, [collection.spec.keyField]: key };
    const [result] = await collection.write([{ type: 'insert', doc }]);
    if (statusOf(collection, result) === 'ok') {
      fresh.push(record);
      out.push(record);
      continue;
    }
    const stored = asUse(await readLedgerDoc(collection, key));
    if (stored?.usedBy !== use.usedBy)
      throw new StewardError(
        'ledger.conflict',
        `approval ${a.id} was used by ${stored?.usedBy ?? 'another run'} at ${stored?.usedAt ?? '?'}, ` +
          `not by ${use.usedBy}: two runs raced for it. Check \`steward approvals list\`, sign again and retry.`,
        { approval: a.id, usedBy: stored?.usedBy },
      );
    out.push(stored);
  }
  if (fresh.length > 0)
    await ledger.audit.append({
      action: 'approval.used',
      subject: fresh[0]!.subject,
      details: { usedBy: use.usedBy, approvals: fresh.map((u) => u.approval) },
    });
  return out;
}

/**
 * The stored approvals, all or those of one subject, each with its use when it was used up.
 * Documents that are neither approvals nor uses (someone wrote to the collection by hand) are
 * skipped: they could never count anyway.
 */
export async function listApprovals(
  ledger: Ledger,
  options: { subject?: string } = {},
): Promise<StoredApproval[]> {
  const collection = await approvalsCollection(ledger);
  const filter = options.subject === undefined ? undefined : parseFilter({ subject: options.subject });
  const out: StoredApproval[] = [];
  const uses = new Map<string, ApprovalUse>();
  for await (const doc of scanDocuments(collection, { ...(filter ? { filter } : {}), limit: 500 })) {
    const use = asUse(doc);
    if (use) uses.set(use.approval, use);
    if (!isApproval(doc)) continue;
    const recordedAt = typeof doc.recordedAt === 'string' ? doc.recordedAt : '';
    out.push({ ...approvalOf(doc), id: String(doc[collection.spec.keyField]), recordedAt });
  }
  return out
    .map((a) => {
      const used = uses.get(a.id);
      return used ? { ...a, used } : a;
    })
    .sort((a, b) => a.signedAt.localeCompare(b.signedAt) || a.id.localeCompare(b.id));
}

/** The uses of a list of stored approvals, by approval id: what `verifyApprovals` takes as `uses`. */
export function usesOf(approvals: readonly StoredApproval[]): Map<string, ApprovalUse> {
  return new Map(approvals.flatMap((a) => (a.used ? [[a.id, a.used] as const] : [])));
}

function useKey(approvalId: string): string {
  return `use-${approvalId}`;
}

function asUse(doc: JsonObject | undefined): ApprovalUse | undefined {
  if (!isJsonObject(doc)) return undefined;
  const { approval, subject, usedBy, usedAt } = doc;
  if ([approval, subject, usedBy, usedAt].some((v) => typeof v !== 'string')) return undefined;
  return { approval, subject, usedBy, usedAt } as ApprovalUse;
}
