import { resolve } from 'node:path';
import { maxApprovalLifetimeMs } from '../approvals/approval.js';
import { parseDuration } from '../core/duration.js';
import { StewardError } from '../errors/steward-error.js';
import type { Signer } from '../workspace/approvals.js';
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
 * Who signs, from `--key`, `--approver`, `--role` and `--expires`. Usage errors name the option;
 * the library checks the rest against the config.
 */
export function signerFromOptions(ctx: CommandContext): Signer {
  const [keyFile, approver, role] = (['key', 'approver', 'role'] as const).map((o) => {
    const value = ctx.options[o];
    if (typeof value !== 'string' || value === '') throw new StewardError('usage', `--${o} is required`);
    return value;
  }) as [string, string, string];
  return { keyFile: resolve(ctx.cwd, keyFile), approver, role, expiresInMs: expiryOption(ctx) };
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
