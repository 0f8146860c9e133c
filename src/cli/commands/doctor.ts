import { ExitCode, isStewardError } from '../../errors/steward-error.js';
import { openStore } from '../../stores/open-store.js';
import type { Command } from '../command.js';
import { configFor } from '../with-stores.js';

interface StoreCheck {
  store: string;
  kind: string;
  ok: boolean;
  product?: string;
  version?: string;
  latencyMs?: number;
  error?: string;
}

/** `steward doctor`: can every configured store be reached, and which versions are they? */
export const doctorCommand: Command = {
  path: ['doctor'],
  summary: 'check that each configured store answers, and report its product and version',
  description: 'Exits 0 when every store answers, 3 when any cannot be reached or refuses the credentials.',
  async run(ctx) {
    const config = await configFor(ctx);
    const checks: StoreCheck[] = [];
    for (const [name, storeConfig] of config.stores) {
      const started = performance.now();
      try {
        const store = await openStore(storeConfig);
        try {
          const info = await store.ping();
          checks.push({
            store: name,
            kind: storeConfig.kind,
            ok: true,
            ...info,
            latencyMs: Math.round(performance.now() - started),
          });
        } finally {
          await store.close();
        }
      } catch (error) {
        if (!isStewardError(error)) throw error;
        checks.push({ store: name, kind: storeConfig.kind, ok: false, error: error.message });
      }
    }
    ctx.output.result({ config: config.file, stores: checks, ledger: config.ledger });
    ctx.output.line(`config: ${config.file}`);
    for (const c of checks) {
      ctx.output.line(
        c.ok
          ? `  ok    ${c.store} (${c.kind}): ${c.product} ${c.version}, answered in ${c.latencyMs} ms`
          : `  FAIL  ${c.store} (${c.kind}): ${c.error}`,
      );
    }
    return checks.every((c) => c.ok) ? ExitCode.ok : ExitCode.unreachable;
  },
};
