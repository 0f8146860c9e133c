import type { ResolvedConfig } from '../../config/resolved-config.js';
import { ExitCode, isStewardError } from '../../errors/steward-error.js';
import type { AuditProblem } from '../../ledger/audit-chain.js';
import { verifyExistingAuditLog } from '../../ledger/verify-existing-audit-log.js';
import { openStore } from '../../stores/open-store.js';
import type { Store } from '../../stores/store.js';
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

interface LedgerCheck {
  store: string;
  state: 'ok' | 'not-created' | 'broken' | 'unreadable' | 'unreachable';
  auditRecords?: number;
  /** Why the ledger could not be read (`unreadable`). */
  error?: string;
  problems?: number;
  /** The first few problems, so a log that shrank is named here, not only in `audit verify`. */
  firstProblems?: AuditProblem[];
}

/** Problems doctor prints; `audit verify` lists them all. */
const shownProblems = 5;

/** `steward doctor`: can every configured store be reached, which versions are they, is the ledger whole? */
export const doctorCommand: Command = {
  path: ['doctor'],
  summary: 'check each store answers (product, version, latency) and the ledger is whole',
  description:
    'Reads only: it opens each store, asks for its version, and verifies the audit log when the ledger exists.\n' +
    'Exits 0 when all is well, 1 when the audit log is broken (changed, cut short or deleted records),\n' +
    '3 when a store cannot be reached or the ledger holds a document it cannot read.',
  async run(ctx) {
    const config = await configFor(ctx);
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
    ctx.output.result({ config: config.file, stores: checks, ledger });
    ctx.output.line(`config: ${config.file}`);
    for (const c of checks) {
      ctx.output.line(
        c.ok
          ? `  ok    ${c.store} (${c.kind}): ${c.product} ${c.version}, answered in ${c.latencyMs} ms`
          : `  FAIL  ${c.store} (${c.kind}): ${c.error}`,
      );
    }
    ctx.output.line(`ledger in "${ledger.store}": ${describeLedger(ledger)}`);
    for (const p of ledger.firstProblems ?? []) ctx.output.line(`  seq ${p.seq}: ${p.kind}: ${p.message}`);
    if (ledger.state === 'unreadable') ctx.output.error(`the ledger could not be read: ${ledger.error}`);
    if (!checks.every((c) => c.ok) || ledger.state === 'unreadable') return ExitCode.unreachable;
    return ledger.state === 'broken' ? ExitCode.findings : ExitCode.ok;
  },
};

/**
 * Verifies the audit log without creating anything: a ledger not yet used is reported as such, a
 * log gone while the heads steward recorded remain is broken.
 */
async function checkLedger(store: Store, config: ResolvedConfig): Promise<LedgerCheck> {
  let result: Awaited<ReturnType<typeof verifyExistingAuditLog>>;
  try {
    result = await verifyExistingAuditLog(store, config.ledger.prefix);
  } catch (error) {
    if (!isStewardError(error) || error.exitCode === ExitCode.usage) throw error;
    // A ledger document modified outside steward (ledger.conflict) is a broken ledger, exit 1;
    // one the store cannot read at all is a store problem, exit 3.
    const state = error.exitCode === ExitCode.findings ? 'broken' : 'unreadable';
    return { store: config.ledger.store, state, error: error.message };
  }
  if (!result) return { store: config.ledger.store, state: 'not-created' };
  return {
    store: config.ledger.store,
    state: result.ok ? 'ok' : 'broken',
    auditRecords: result.checked,
    problems: result.problemCount,
    ...(result.ok ? {} : { firstProblems: result.problems.slice(0, shownProblems) }),
  };
}

function describeLedger(ledger: LedgerCheck): string {
  switch (ledger.state) {
    case 'ok':
      return `ok, audit log of ${ledger.auditRecords} records verified`;
    case 'not-created':
      return 'not created yet (the first job creates it)';
    case 'broken':
      if (ledger.error) return `BROKEN: ${ledger.error}`;
      return `BROKEN: ${ledger.problems} problem(s) in the audit log; run "steward audit verify" for details`;
    case 'unreadable':
      return `UNREADABLE: ${ledger.error}`;
    case 'unreachable':
      return 'not checked: its store did not answer';
  }
}
