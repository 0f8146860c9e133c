import type { ResolvedConfig } from '../config/resolved-config.js';
import { openStore } from '../stores/open-store.js';

/** Whether one configured store answered a ping, and if not, why (without its connection string). */
export interface StoreReadiness {
  readonly store: string;
  readonly kind: string;
  readonly ok: boolean;
  readonly error?: string;
}

/**
 * Pings every configured store once, in parallel, each within `timeoutMs`: what a readiness probe
 * needs, and no more (no ledger check, unlike `doctor`). Reports, never throws.
 */
export async function storesReady(
  config: ResolvedConfig,
  input: { readonly timeoutMs?: number } = {},
): Promise<StoreReadiness[]> {
  const timeoutMs = input.timeoutMs ?? 5000;
  return Promise.all(
    [...config.stores].map(async ([name, storeConfig]): Promise<StoreReadiness> => {
      const base = { store: name, kind: storeConfig.kind };
      try {
        await withTimeout(ping(storeConfig), timeoutMs);
        return { ...base, ok: true };
      } catch (error) {
        return { ...base, ok: false, error: error instanceof Error ? error.message : String(error) };
      }
    }),
  );
}

async function ping(storeConfig: Parameters<typeof openStore>[0]): Promise<void> {
  const store = await openStore(storeConfig);
  try {
    await store.ping();
  } finally {
    await store.close();
  }
}

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}
