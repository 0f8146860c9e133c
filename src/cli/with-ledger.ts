import { hostname, userInfo } from 'node:os';
import type { ResolvedConfig } from '../config/resolved-config.js';
import { type Ledger, openLedger } from '../ledger/ledger.js';
import type { CommandContext } from './command.js';
import { withStores } from './with-stores.js';

/** Who the audit log records as acting: STEWARD_ACTOR, or user@host. */
export function actorFor(env: NodeJS.ProcessEnv): string {
  if (env.STEWARD_ACTOR) return env.STEWARD_ACTOR;
  let user = 'unknown';
  try {
    user = userInfo().username;
  } catch {
    // no passwd entry (some containers): keep "unknown"
  }
  return `${user}@${hostname()}`;
}

/** Opens the ledger's store and the ledger in it, runs `work`, and closes the store. */
export function withLedger<T>(
  ctx: CommandContext,
  config: ResolvedConfig,
  work: (ledger: Ledger) => Promise<T>,
): Promise<T> {
  return withStores(config, [config.ledger.store], async (stores) => {
    const store = stores.get(config.ledger.store)!;
    const ledger = await openLedger(store, {
      actor: actorFor(ctx.env),
      namespacePrefix: config.ledger.prefix,
    });
    return work(ledger);
  });
}
