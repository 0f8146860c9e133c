import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { type Approval, maxApprovalLifetimeMs } from '../approvals/approval.js';
import {
  generateApproverKeys,
  keyMatches,
  parsePrivateKey,
  signApproval,
} from '../approvals/approval-keys.js';
import { listApprovals, recordApproval, type StoredApproval, usesOf } from '../approvals/approval-ledger.js';
import { verifyApprovals } from '../approvals/verify-approvals.js';
import type { ResolvedConfig } from '../config/resolved-config.js';
import { StewardError } from '../errors/steward-error.js';
import type { Ledger } from '../ledger/ledger.js';
import { assertMigrationSubject, migrationsApprovalKind } from '../migrations/plan/plan-approvals.js';
import { withMigrations } from './migrations/with-migrations.js';
import { writeOutFile } from './out-file.js';
import { actorOf, type RunOptions } from './run-options.js';
import { withWorkspace } from './workspace.js';

/** Where `approvalsKeygen` writes: `<out>.key.pem` and `<out>.pub.pem`. */
export interface ApprovalsKeygenInput {
  /** The path prefix of both files, such as `keys/alice` (relative to the working directory). */
  readonly out: string;
}

/** The key files `approvalsKeygen` wrote, as absolute paths. */
export interface ApprovalsKeygenResult {
  readonly privateKey: string;
  readonly publicKey: string;
}

/**
 * Makes an approver's ed25519 key pair: `<out>.key.pem` (mode 0600, for the approver only) and
 * `<out>.pub.pem` (for the config's approvers). Never overwrites a file. Needs no config.
 */
export function approvalsKeygen(input: ApprovalsKeygenInput): ApprovalsKeygenResult {
  const keys = generateApproverKeys();
  const privateKey = resolve(`${input.out}.key.pem`);
  const publicKey = resolve(`${input.out}.pub.pem`);
  writeNew(publicKey, keys.publicKeyPem, 0o644);
  writeNew(privateKey, keys.privateKeyPem, 0o600);
  return { privateKey, publicKey };
}

/** Who signs an approval, with which key and role, for how long. */
export interface Signer {
  /** The approver's private key file (from `approvalsKeygen`). */
  readonly keyFile: string;
  /** The approver's name in the config's `approvers`. */
  readonly approver: string;
  /** The role the approver signs in. */
  readonly role: string;
  /** How long the approval counts, in milliseconds from now. */
  readonly expiresInMs: number;
}

/** What to approve, and who signs it. */
export interface SignRequest extends Signer {
  /** The hash a command asks approvals for: a repair plan, a migration plan... */
  readonly subject: string;
  /** What is approved: `refs.delete-dependent`, `migrations`... */
  readonly kind: string;
}

/** What `approvalsSign` stored: the ledger's answer and the signed approval. */
export interface ApprovalsSignResult {
  readonly id: string;
  readonly status: 'recorded' | 'already-recorded';
  readonly approval: Approval;
}

const subjectPattern = /^[A-Za-z0-9][A-Za-z0-9:._-]{7,199}$/;

/**
 * Signs an approval of a subject and stores it in the ledger, insert-only and audited, after the
 * checks of {@link signApprovalFor}. The subject must look like a hash a command printed. Kind
 * `migrations` takes the rules of {@link migrateApprove}: the subject must be `<current plan
 * hash>:<report hash of its latest dry run>`, which passed.
 */
export async function approvalsSign(
  config: ResolvedConfig,
  request: SignRequest,
  options: RunOptions = {},
): Promise<ApprovalsSignResult> {
  if (!subjectPattern.test(request.subject))
    throw new StewardError('usage', 'name the subject to approve: the plan hash the command printed');
  if (request.kind === migrationsApprovalKind)
    return withMigrations(config, actorOf(options), async (run) => {
      const { plan } = await run.loadPlan();
      await assertMigrationSubject(run.ledger, request.subject, plan.hash);
      return store(run.ledger, signApprovalFor(config, request));
    });
  const approval = signApprovalFor(config, request);
  return withWorkspace(config, {}, actorOf(options), ({ ledger }) => store(ledger, approval));
}

async function store(ledger: Ledger, approval: Approval): Promise<ApprovalsSignResult> {
  const stored = await recordApproval(ledger, approval, new Date().toISOString());
  return { ...stored, approval };
}

/** Which field of a submitted approval each problem is about. */
const problemFields: Readonly<Record<string, string>> = {
  malformed: 'body',
  'unknown-approver': 'approver',
  'bad-signature': 'signature',
  expired: 'expiresAt',
  'not-yet-valid': 'signedAt',
  'role-not-held': 'role',
  'role-not-allowed': 'role',
  used: 'signature',
};

/**
 * Stores an approval someone signed elsewhere with their own key (the server never holds private
 * keys), after the checks `approvalsSign` makes before signing and those made when approvals are
 * used: the approver is in the config, the signature verifies with their public key, the role is
 * theirs and counts for the kind, it has not expired, it lives at most a year, and for kind
 * `migrations` the subject is the current plan's latest passed dry run. Each refusal is an
 * `input.invalid` (or `usage`) error naming the field; an approval already recorded is a
 * `ledger.conflict` (a replay), and nothing is written for any of them.
 */
export async function approvalsSubmit(
  config: ResolvedConfig,
  approval: Approval,
  options: RunOptions = {},
): Promise<ApprovalsSignResult> {
  checkSubmitted(config, approval);
  const keep = async (ledger: Ledger) => {
    const stored = await store(ledger, approval);
    if (stored.status === 'already-recorded')
      throw new StewardError(
        'ledger.conflict',
        `this approval is already recorded (${stored.id}): a replay`,
        {
          field: 'signature',
        },
      );
    return stored;
  };
  if (approval.subjectKind === migrationsApprovalKind)
    return withMigrations(config, actorOf(options), async (run) => {
      const { plan } = await run.loadPlan();
      await assertMigrationSubject(run.ledger, approval.subject, plan.hash).catch((error: unknown) => {
        throw error instanceof StewardError
          ? new StewardError(error.code, error.message, { ...error.details, field: 'subject' })
          : error;
      });
      return keep(run.ledger);
    });
  return withWorkspace(config, {}, actorOf(options), ({ ledger }) => keep(ledger));
}

/** Everything about a submitted approval that needs no store: what would make it never count. */
function checkSubmitted(config: ResolvedConfig, approval: Approval): void {
  if (!subjectPattern.test(approval.subject))
    throw new StewardError('input.invalid', 'the subject is not a hash a command printed', {
      field: 'subject',
    });
  const roles = config.approvalPolicies.get(approval.subjectKind)?.roles;
  const check = verifyApprovals({
    subject: approval.subject,
    approvals: [approval],
    policy: { required: 1, ...(roles ? { roles } : {}) },
    approvers: config.approvers,
    now: Date.now(),
  });
  const problem = check.problems.find((p) => p.code !== 'quorum' && p.code !== 'owner-missing');
  if (problem)
    throw new StewardError('input.invalid', `approval refused: ${problem.message}`, {
      field: problemFields[problem.code] ?? 'body',
      problem: problem.code,
    });
  const lifetime = Date.parse(approval.expiresAt) - Date.parse(approval.signedAt);
  if (!(lifetime > 0 && lifetime <= maxApprovalLifetimeMs))
    throw new StewardError('input.invalid', 'an approval counts for more than 0 and at most 366 days', {
      field: 'expiresAt',
    });
}

/** A stored approval with whether it would count today: `valid`, or the reason it would not. */
export type ListedApproval = StoredApproval & { readonly status: string };

/** The stored approvals (of one subject, when given), each with whether it verifies now. */
export function approvalsList(
  config: ResolvedConfig,
  input: { readonly subject?: string } = {},
  options: RunOptions = {},
): Promise<ListedApproval[]> {
  return withWorkspace(config, {}, actorOf(options), async ({ ledger }) => {
    const approvals = await listApprovals(
      ledger,
      input.subject === undefined ? {} : { subject: input.subject },
    );
    const now = Date.now();
    return approvals.map((a) => ({ ...a, status: statusOf(a, config, now) }));
  });
}

/**
 * Signs an approval after checking what would make it useless later: the approver is in the
 * config, holds the role, the role counts for the kind's policy, and the key is the approver's.
 * Each problem is a usage error naming the config setting.
 */
export function signApprovalFor(config: ResolvedConfig, request: SignRequest): Approval {
  const { kind, role, approver: name } = request;
  const where = config.file ?? 'the config';
  const approver = config.approvers.get(name);
  if (!approver) {
    const known = [...config.approvers.keys()].join(', ') || 'none';
    throw new StewardError('usage', `"${name}" is not among the approvers in ${where} (known: ${known})`);
  }
  if (!approver.roles.includes(role))
    throw new StewardError(
      'usage',
      `${name} does not hold role "${role}" in ${where} (roles: ${approver.roles.join(', ')})`,
    );
  const allowed = config.approvalPolicies.get(kind)?.roles;
  if (allowed && !allowed.includes(role))
    throw new StewardError(
      'usage',
      `role "${role}" does not count for ${kind} (approvalPolicies.${kind}.roles: ${allowed.join(', ')})`,
    );
  const path = resolve(request.keyFile);
  const privateKey = parsePrivateKey(readKeyFile(path), path);
  if (!keyMatches(privateKey, approver.publicKeyPem))
    throw new StewardError(
      'usage',
      `${path} is not ${name}'s key: it does not match approvers.${name}.publicKey in ${where}`,
    );
  checkLifetime(request.expiresInMs);
  const now = Date.now();
  const fields = {
    subject: request.subject,
    subjectKind: kind,
    approver: name,
    role,
    signedAt: new Date(now).toISOString(),
    expiresAt: new Date(now + request.expiresInMs).toISOString(),
  };
  return signApproval(fields, privateKey);
}

/**
 * Whether one approval would count today, ignoring quorum: `valid`, `used` (a run used it up), or
 * the reason it would not.
 */
function statusOf(approval: StoredApproval, config: ResolvedConfig, now: number): string {
  const check = verifyApprovals({
    subject: approval.subject,
    approvals: [approval],
    policy: { required: 1 },
    approvers: config.approvers,
    now,
    uses: usesOf([approval]),
  });
  return check.ok ? 'valid' : (check.problems[0]?.code ?? 'invalid');
}

/** An approval counts for more than 0 and at most {@link maxApprovalLifetimeMs}. */
function checkLifetime(expiresInMs: number): void {
  const maxDays = maxApprovalLifetimeMs / 86_400_000;
  if (!(expiresInMs > 0 && expiresInMs <= maxApprovalLifetimeMs))
    throw new StewardError(
      'usage',
      `an approval counts for more than 0 and at most ${maxDays} days (expiresInMs ${expiresInMs})`,
    );
}

function readKeyFile(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new StewardError(
      'input.invalid',
      `cannot read the key file ${path}: ${(error as NodeJS.ErrnoException).code}`,
    );
  }
}

function writeNew(path: string, text: string, mode: number): void {
  writeOutFile(path, text, { mode, flag: 'wx' });
}
