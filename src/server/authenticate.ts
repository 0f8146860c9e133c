import type { ResolvedConfig } from '../config/resolved-config.js';
import type { TokenRole } from '../workspace/tokens.js';
import { tokensAuthenticate } from '../workspace/tokens.js';
import { ApiError } from './api-error.js';
import { roleAllows } from './roles.js';
import type { Caller } from './server-route.js';
import type { TokenCache } from './token-cache.js';

const bearer = /^Bearer ([A-Za-z0-9_-]{1,200})$/;

/**
 * Who sends this Authorization header, if they may use a route that needs `needed`: 401 without a
 * valid token (missing, unknown, expired or revoked: the answer does not say which, the log does
 * not hold the token), 403 when the token's role is not enough. A token verified within the
 * cache's time to live is not read from the ledger again.
 */
export async function authenticate(
  config: ResolvedConfig,
  header: string | undefined,
  needed: TokenRole,
  cache: TokenCache,
): Promise<Caller> {
  const token = header ? bearer.exec(header)?.[1] : undefined;
  if (!token)
    throw new ApiError(
      401,
      'auth.required',
      'send an API token: "Authorization: Bearer <token>"',
      'authorization',
    );
  const check = await cache.check(token, () => tokensAuthenticate(config, token));
  if (!check.ok)
    throw new ApiError(
      401,
      `auth.${check.reason === 'unknown' ? 'invalid' : check.reason}`,
      check.reason === 'unknown'
        ? 'the API token is not valid'
        : `the API token is ${check.reason}; ask an admin for a new one ("steward tokens create")`,
      'authorization',
    );
  if (!roleAllows(check.role, needed))
    throw new ApiError(
      403,
      'auth.forbidden',
      `token "${check.name}" has role ${check.role}; this route needs ${needed}`,
    );
  return { name: check.name, role: check.role };
}
