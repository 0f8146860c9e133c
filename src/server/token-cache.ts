import { createHash } from 'node:crypto';
import type { TokenCheck } from '../workspace/tokens.js';

/**
 * How long `steward serve` trusts a token it has verified before it reads the ledger again: the
 * bound on how late a revocation (`steward tokens revoke`, from any process) takes effect.
 */
export const defaultTokenCacheMs = 5_000;

/**
 * Verified tokens, by a hash of the token (the secret itself is not kept), each for `ttlMs` at
 * most and never past its expiry. Only tokens that authenticated are kept: a revoked, expired or
 * unknown token is checked against the ledger every time, so a new token works at once. Without
 * it every request reads the ledger's tokens collection before its route does anything.
 */
export class TokenCache {
  private readonly entries = new Map<string, { check: TokenCheck & { ok: true }; until: number }>();

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries = 1_000,
  ) {}

  /** The token's check: the remembered one while fresh, else `verify`'s (remembered when it passes). */
  async check(token: string, verify: () => Promise<TokenCheck>): Promise<TokenCheck> {
    const key = createHash('sha256').update(token).digest('base64url');
    const now = Date.now();
    const cached = this.entries.get(key);
    if (cached && cached.until > now) return cached.check;
    this.entries.delete(key);
    const check = await verify();
    if (check.ok && this.ttlMs > 0) this.remember(key, check, now);
    return check;
  }

  private remember(key: string, check: TokenCheck & { ok: true }, now: number): void {
    const until = Math.min(now + this.ttlMs, Date.parse(check.expiresAt));
    if (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(key, { check, until });
  }
}
