import { randomBytes } from 'node:crypto';
import type { ResolvedConfig } from '../config/resolved-config.js';
import { sha256 } from '../core/hash.js';
import { StewardError } from '../errors/steward-error.js';
import type { ApiTokenRecord } from '../ledger/api-tokens.js';
import { actorOf, type RunOptions } from './run-options.js';
import { withWorkspace } from './workspace.js';

/** The roles an API token can hold; see docs/server.md for what each may do. */
export const tokenRoles = ['viewer', 'operator', 'approver', 'admin'] as const;
export type TokenRole = (typeof tokenRoles)[number];

/** A token record as listed: everything but the hash, with whether it authenticates now. */
export type ListedToken = Omit<ApiTokenRecord, 'hash'> & {
  readonly status: 'active' | 'expired' | 'revoked';
};

/** What `tokensCreate` makes: the secret (shown once, never stored) and its record. */
export interface TokensCreateResult {
  readonly token: string;
  readonly record: ListedToken;
}

export interface TokensCreateInput {
  readonly name: string;
  readonly role: string;
  /** How long the token authenticates, in milliseconds from now. */
  readonly expiresInMs: number;
}

const namePattern = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/;
/** The longest a token may live: a year; longer is a standing credential nobody rotates. */
export const maxTokenLifetimeMs = 366 * 86_400_000;

/**
 * Makes an API token for `steward serve`: a random secret, returned once, whose SHA-256 the
 * ledger keeps with the name, role and expiry (audited `token.created`).
 */
export function tokensCreate(
  config: ResolvedConfig,
  input: TokensCreateInput,
  options: RunOptions = {},
): Promise<TokensCreateResult> {
  const role = checkedRole(input.role);
  if (!namePattern.test(input.name))
    throw new StewardError(
      'usage',
      `token name "${input.name}" is not valid: letters, digits, ".", "_", "@" or "-", at most 64`,
      { field: 'name' },
    );
  if (!(input.expiresInMs > 0 && input.expiresInMs <= maxTokenLifetimeMs))
    throw new StewardError('usage', 'a token expires after more than 0 and at most 366 days', {
      field: 'expires',
    });
  const actor = actorOf(options);
  const token = `stw_${randomBytes(32).toString('base64url')}`;
  const now = Date.now();
  const record: ApiTokenRecord = {
    name: input.name,
    role,
    hash: tokenHash(token),
    createdAt: new Date(now).toISOString(),
    createdBy: actor,
    expiresAt: new Date(now + input.expiresInMs).toISOString(),
  };
  return withWorkspace(config, {}, actor, async ({ ledger }) => {
    await (await ledger.apiTokens()).create(record);
    return { token, record: listed(record, now) };
  });
}

/** Every token, revoked and expired ones included, without their hashes. */
export function tokensList(config: ResolvedConfig, options: RunOptions = {}): Promise<ListedToken[]> {
  return withWorkspace(config, {}, actorOf(options), async ({ ledger }) => {
    const now = Date.now();
    return (await (await ledger.apiTokens()).list()).map((r) => listed(r, now));
  });
}

/**
 * Revokes the live token of a name (audited `token.revoked`). A running server refuses it within
 * its `tokenCacheMs` (5 s by default); a new server at once.
 */
export function tokensRevoke(
  config: ResolvedConfig,
  input: { readonly name: string },
  options: RunOptions = {},
): Promise<ListedToken> {
  const actor = actorOf(options);
  return withWorkspace(config, {}, actor, async ({ ledger }) => {
    const revoked = await (await ledger.apiTokens()).revoke(input.name, actor, new Date().toISOString());
    return listed(revoked, Date.now());
  });
}

/** Who a bearer token is, or why it does not authenticate. */
export type TokenCheck =
  | {
      readonly ok: true;
      readonly name: string;
      readonly role: TokenRole;
      /** When the token stops authenticating (ISO 8601). */
      readonly expiresAt: string;
    }
  | { readonly ok: false; readonly reason: 'unknown' | 'expired' | 'revoked' };

/** Checks a bearer token against the ledger: known, unrevoked, unexpired, with a known role. */
export function tokensAuthenticate(config: ResolvedConfig, token: string): Promise<TokenCheck> {
  return withWorkspace(config, {}, 'steward-serve', async ({ ledger }) => {
    const record = await (await ledger.apiTokens()).find(tokenHash(token));
    if (!record || !isTokenRole(record.role)) return { ok: false, reason: 'unknown' };
    const status = statusOf(record, Date.now());
    if (status !== 'active') return { ok: false, reason: status };
    return { ok: true, name: record.name, role: record.role, expiresAt: record.expiresAt };
  });
}

/** The hash the ledger keys a token by. */
export function tokenHash(token: string): string {
  return sha256(token);
}

export function isTokenRole(role: string): role is TokenRole {
  return (tokenRoles as readonly string[]).includes(role);
}

function checkedRole(role: string): TokenRole {
  if (isTokenRole(role)) return role;
  throw new StewardError('usage', `role "${role}" is not one of ${tokenRoles.join(', ')}`, { field: 'role' });
}

function statusOf(record: ApiTokenRecord, now: number): ListedToken['status'] {
  if (record.revokedAt) return 'revoked';
  return Date.parse(record.expiresAt) <= now ? 'expired' : 'active';
}

function listed(record: ApiTokenRecord, now: number): ListedToken {
  const { hash: _hash, ...rest } = record;
  return { ...rest, status: statusOf(record, now) };
}
