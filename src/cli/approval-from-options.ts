import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { type Approval, maxApprovalLifetimeMs } from '../approvals/approval.js';
import { keyMatches, parsePrivateKey, signApproval } from '../approvals/approval-keys.js';
import { parseDuration } from '../config/resolve-references.js';
import type { ResolvedConfig } from '../config/resolved-config.js';
import { StewardError } from '../errors/steward-error.js';
import type { CommandContext, OptionSpec } from './command.js';

/** The options of every command that signs an approval. */
export const approvalOptions: OptionSpec = {
  key: { type: 'string' },
  approver: { type: 'string' },
  role: { type: 'string' },
  expires: { type: 'string', default: '24h' },
};

export const approvalOptionHelp = {
  key: 'your private key file from "steward approvals keygen"',
  approver: 'your name in the config approvers',
  role: 'the role you sign in',
  expires: 'how long the approval counts: 30m, 24h, 7d (default 24h, at most 366d)',
};

/**
 * Signs an approval of `subject` for `kind` from `--key`, `--approver`, `--role` and `--expires`,
 * after checking what would make it useless later: the approver is in the config, holds the role,
 * the role counts for the kind's policy, and the key is the approver's. Usage errors name the
 * option or the config setting.
 */
export function approvalFromOptions(
  ctx: CommandContext,
  config: ResolvedConfig,
  request: { readonly subject: string; readonly kind: string },
): Approval {
  const [keyFile, name, role] = (['key', 'approver', 'role'] as const).map((o) => {
    const value = ctx.options[o];
    if (typeof value !== 'string' || value === '') throw new StewardError('usage', `--${o} is required`);
    return value;
  }) as [string, string, string];
  const { kind } = request;
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
  const expiresMs = expiryOption(ctx);
  const path = resolve(ctx.cwd, keyFile);
  const privateKey = parsePrivateKey(readKeyFile(path), path);
  if (!keyMatches(privateKey, approver.publicKeyPem))
    throw new StewardError(
      'usage',
      `${path} is not ${name}'s key: it does not match approvers.${name}.publicKey in ${where}`,
    );
  const now = Date.now();
  const fields = {
    subject: request.subject,
    subjectKind: kind,
    approver: name,
    role,
    signedAt: new Date(now).toISOString(),
    expiresAt: new Date(now + expiresMs).toISOString(),
  };
  return signApproval(fields, privateKey);
}

/** `--expires` in milliseconds: a duration above 0 and at most {@link maxApprovalLifetimeMs}. */
function expiryOption(ctx: CommandContext): number {
  const text = String(ctx.options.expires);
  const ms = parseDuration(text);
  if (ms === undefined)
    throw new StewardError('usage', `--expires must be a duration such as 30m, 24h or 7d (got "${text}")`);
  const maxDays = maxApprovalLifetimeMs / 86_400_000;
  if (ms <= 0 || ms > maxApprovalLifetimeMs)
    throw new StewardError(
      'usage',
      `--expires ${text} is out of range: an approval counts for more than 0 and at most ${maxDays} days (${maxDays}d)`,
    );
  return ms;
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
