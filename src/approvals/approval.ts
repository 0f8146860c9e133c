import { sha256 } from '../core/hash.js';
import { canonicalJson, isJsonObject } from '../core/json.js';

/**
 * An approval: a person's signature saying "I allow this exact change". The `subject` is a hash
 * of what is approved (a migration plan hash, a repair plan hash), so an approval can never be
 * reused for a different change: change one document of the plan and the hash, and with it the
 * subject, changes. `subjectKind` names what kind of change it is, and picks the policy.
 *
 * The signature is ed25519 over {@link approvalPayload}: every other field, canonically encoded,
 * so none of them (the role, the expiry) can be edited after signing.
 */
export interface Approval {
  /** The hash of what is approved. */
  readonly subject: string;
  /** What kind of change: `refs.delete-dependent`, `migrations`... It selects the approval policy. */
  readonly subjectKind: string;
  /** Name of the approver, as in the config's `approvers`. */
  readonly approver: string;
  /** The role the approver signs in, one the config grants them. */
  readonly role: string;
  /** ISO 8601 time of signing. */
  readonly signedAt: string;
  /** ISO 8601 time after which the approval no longer counts. */
  readonly expiresAt: string;
  /** Base64 ed25519 signature over {@link approvalPayload}. */
  readonly signature: string;
}

/**
 * The longest an approval may count for, from its signing: a year. An approval is consent to one
 * change soon; one meant to count for longer is a standing permission, which belongs in the config.
 */
export const maxApprovalLifetimeMs = 366 * 86_400_000;

/** The fields an approver signs: everything but the signature. */
export type ApprovalFields = Omit<Approval, 'signature'>;

/**
 * A tag inside the signed payload, so a signature made for an approval cannot be passed off as a
 * signature over anything else steward (or another tool using the same key) might sign.
 */
const purpose = 'steward.approval.v1';

/** The exact bytes an approver signs: the fields in canonical JSON, with the purpose tag. */
export function approvalPayload(fields: ApprovalFields): Buffer {
  const { subject, subjectKind, approver, role, signedAt, expiresAt } = fields;
  return Buffer.from(canonicalJson({ purpose, subject, subjectKind, approver, role, signedAt, expiresAt }));
}

/** A stable id for a stored approval: the same signed approval always gets the same id. */
export function approvalId(approval: Approval): string {
  return `apr-${sha256(`${approvalPayload(approval).toString()}\u0000${approval.signature}`).slice(0, 40)}`;
}

const stringFields = ['subject', 'subjectKind', 'approver', 'role', 'signedAt', 'expiresAt', 'signature'];

/** True for a value with every field of an approval as a string (read from a store, it may be anything). */
export function isApproval(value: unknown): value is Approval {
  if (!isJsonObject(value)) return false;
  return stringFields.every((field) => typeof value[field] === 'string');
}

/** The approval fields of a stored document, dropping what the ledger added around them. */
export function approvalOf(value: Approval): Approval {
  const { subject, subjectKind, approver, role, signedAt, expiresAt, signature } = value;
  return { subject, subjectKind, approver, role, signedAt, expiresAt, signature };
}
