import type { ResolvedConfig } from '../config/resolved-config.js';
import { StewardError } from '../errors/steward-error.js';
import { type Ledger, openLedger } from '../ledger/ledger.js';
import { openStore } from '../stores/open-store.js';

/** The ledger of a config, open until `close()`: for long-lived callers such as the job manager. */
export interface LedgerSession {
  readonly ledger: Ledger;
  close(): Promise<void>;
}

/**
 * Opens the ledger's store and the ledger and keeps them open, for a process that reads and
 * writes ledger records for a long time (the job manager of `steward serve`). Entry points use
 * `withWorkspace` instead, which closes everything when the job ends.
 */
export async function openLedgerSession(config: ResolvedConfig, actor: string): Promise<LedgerSession> {
  const storeConfig = config.stores.get(config.ledger.store);
  if (!storeConfig)
    throw new StewardError(
      'usage',
      `no store named "${config.ledger.store}" in ${config.file ?? 'the config'}`,
    );
  const store = await openStore(storeConfig);
  try {
    const ledger = await openLedger(store, { actor, namespacePrefix: config.ledger.prefix });
    return { ledger, close: () => store.close() };
  } catch (error) {
    await store.close();
    throw error;
  }
}
