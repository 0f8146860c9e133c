import type { ResolvedConfig } from '../config/resolved-config.js';
import { isStewardError } from '../errors/steward-error.js';
import { inspectLedger } from '../ledger/inspect-ledger.js';
import { openStore } from '../stores/open-store.js';
import type { Store } from '../stores/store.js';

/** Whether one configured store answered: its product, version and latency, or the error. */
export interface StoreCheck {
  store: string;
  kind: string;
  ok: boolean;
  product?: string;
  version?: string;
  latencyMs?: number;
  error?: string;
}

/** The state of the ledger: whole, not created yet, broken, or not checked (its store did not answer). */
export interface LedgerCheck {
  store: string;
  state: 'ok' | 'not-created' | 'broken' | 'unreachable';
  auditRecords?: number;
  problems?: number;
}

/** What `doctor` found. */
export interface DoctorReport {
  readonly config: string | undefined;
  readonly stores: StoreCheck[];
  readonly ledger: LedgerCheck;
}

/**
 * Can every configured store be reached, which versions are they, is the ledger whole? Opens each
 * store, asks for its version, and verifies the audit log when the ledger exists. Reads only and
 * creates nothing; a store that does not answer is reported, not thrown.
 */
export async function doctor(config: ResolvedConfig): Promise<DoctorReport> {
  const checks: StoreCheck[] = [];
  let ledger: LedgerCheck = { store: config.ledger.store, state: 'unreachable' };
  for (const [name, storeConfig] of config.stores) {
    const started = performance.now();
    try {
      const store = await openStore(storeConfig);
      try {
        const info = await store.ping();
        const latencyMs = Math.round(performance.now() - started);
        checks.push({ store: name, kind: storeConfig.kind, ok: true, ...info, latencyMs });
        if (name === config.ledger.store) ledger = await checkLedger(store, config);
      } finally {
        await store.close();
      }
    } catch (error) {
      if (!isStewardError(error)) throw error;
      checks.push({ store: name, kind: storeConfig.kind, ok: false, error: error.message });
    }
  }
  return { config: config.file, stores: checks, ledger };
}

/** Verifies the audit log without creating anything: a ledger not yet used is reported as such. */
async function checkLedger(store: Store, config: ResolvedConfig): Promise<LedgerCheck> {
  const inspection = await inspectLedger(store, config.ledger.prefix);
  if (!inspection.created) return { store: config.ledger.store, state: 'not-created' };
  const result = inspection.audit;
  return {
    store: config.ledger.store,
    state: result.ok ? 'ok' : 'broken',
    auditRecords: result.checked,
    problems: result.problemCount,
  };
}
