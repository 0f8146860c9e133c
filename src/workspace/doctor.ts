import type { ResolvedConfig } from '../config/resolved-config.js';
import { ExitCode, isStewardError } from '../errors/steward-error.js';
import type { AuditProblem } from '../ledger/audit-chain.js';
import { verifyExistingAuditLog } from '../ledger/verify-existing-audit-log.js';
import { openStore } from '../stores/open-store.js';
import type { CollectionSpec, LayoutGap, Store } from '../stores/store.js';
import { checkDeclarations } from './contracts/check-declarations.js';

/** Whether one configured store answered: its product, version and latency, or the error. */
export interface StoreCheck {
  store: string;
  kind: string;
  ok: boolean;
  product?: string;
  version?: string;
  /** Why `version` is no version number, when the store reports none (DynamoDB). */
  versionNote?: string;
  latencyMs?: number;
  error?: string;
}

/**
 * The state of the ledger: whole, not created yet, broken (changed, cut short or deleted records, or
 * a ledger document modified outside steward), unreadable, or not checked (its store did not answer).
 */
export interface LedgerCheck {
  store: string;
  state: 'ok' | 'not-created' | 'broken' | 'unreadable' | 'unreachable';
  auditRecords?: number;
  /** Why the ledger could not be read (`unreadable`), or the document found modified (`broken`). */
  error?: string;
  problems?: number;
  /** The first few problems, so a log that shrank is named here, not only in `audit verify`. */
  firstProblems?: AuditProblem[];
}

/** Problems a doctor report carries; `auditVerify` lists them all. */
const shownProblems = 5;

/**
 * Whether a declared collection exists in its store: the SQLite table, the MongoDB collection, or
 * the DynamoDB table (for an entity of a single table, its table: entities cannot be listed).
 */
export interface CollectionCheck {
  readonly collection: string;
  readonly store: string;
  /** What was looked for: a table (SQLite, DynamoDB, without the store's tablePrefix) or a collection. */
  readonly table: string;
  readonly exists: boolean;
  /**
   * What steward's layout of the existing collection lacks (`Store.layoutGaps`: on SQLite, the key
   * index of a table made before it existed), after `fix` when it was asked. Absent when nothing.
   */
  readonly layoutGaps?: readonly LayoutGap[];
  /** What `fix` added to the collection's layout. Absent when it added nothing. */
  readonly added?: readonly LayoutGap[];
}

/**
 * `fix`: add what steward's layout of each existing declared collection lacks (`layoutGaps`),
 * which changes no document. `onFixing` is told of each collection before its gaps are closed (a
 * key index of a large table takes seconds).
 */
export interface DoctorOptions {
  readonly fix?: boolean;
  readonly onFixing?: (collection: string, gaps: readonly LayoutGap[]) => void;
}

/** What `doctor` found. */
export interface DoctorReport {
  readonly config: string | undefined;
  readonly stores: StoreCheck[];
  readonly ledger: LedgerCheck;
  /** Every declared collection of the stores that answered, and whether it exists. */
  readonly collections: CollectionCheck[];
}

/**
 * Can every configured store be reached, which versions are they, does every declared collection
 * exist, and with steward's whole layout, is the ledger whole? Opens each store, asks for its
 * version, lists its collections (or tables) and verifies the audit log when the ledger exists.
 * Reads only and creates nothing, unless asked to `fix` layout gaps; a store that does not answer,
 * or a ledger that cannot be read, is reported, not thrown.
 */
export async function doctor(config: ResolvedConfig, options: DoctorOptions = {}): Promise<DoctorReport> {
  await checkDeclarations(config);
  const checks: StoreCheck[] = [];
  const collections: CollectionCheck[] = [];
  let ledger: LedgerCheck = { store: config.ledger.store, state: 'unreachable' };
  for (const [name, storeConfig] of config.stores) {
    const started = performance.now();
    try {
      const store = await openStore(storeConfig);
      try {
        const info = await store.ping();
        const latencyMs = Math.round(performance.now() - started);
        checks.push({ store: name, kind: storeConfig.kind, ok: true, ...info, latencyMs });
        collections.push(...(await checkCollections(store, name, config, options)));
        if (name === config.ledger.store) ledger = await checkLedger(store, config);
      } finally {
        await store.close();
      }
    } catch (error) {
      if (!isStewardError(error)) throw error;
      checks.push({ store: name, kind: storeConfig.kind, ok: false, error: error.message });
    }
  }
  return { config: config.file, stores: checks, ledger, collections };
}

/** The declared collections of one store, each looked up among the store's own. */
async function checkCollections(
  store: Store,
  name: string,
  config: ResolvedConfig,
  options: DoctorOptions,
): Promise<CollectionCheck[]> {
  const declared = [...config.collections.values()].filter((c) => c.store === name);
  if (declared.length === 0) return [];
  const existing = new Set(await store.listCollections());
  const checks: CollectionCheck[] = [];
  for (const c of declared) {
    const table = store.kind === 'dynamodb' ? (c.spec.dynamodb?.table ?? c.spec.name) : c.spec.name;
    const check = { collection: c.name, store: name, table, exists: existing.has(table) };
    checks.push(check.exists ? await checkLayout(store, c.spec, check, options) : check);
  }
  return checks;
}

/** A collection's layout gaps, closed first when `fix` is asked (see {@link DoctorOptions}). */
async function checkLayout(
  store: Store,
  spec: CollectionSpec,
  check: CollectionCheck,
  options: DoctorOptions,
): Promise<CollectionCheck> {
  const found = (await store.layoutGaps?.(spec)) ?? [];
  let added: LayoutGap[] = [];
  if (options.fix && found.length > 0) {
    options.onFixing?.(check.collection, found);
    added = (await store.closeLayoutGaps?.(spec)) ?? [];
  }
  // What is left: what was found and not added (no second read of the layout).
  const gaps = found.filter((gap) => !added.some((a) => a.kind === gap.kind && a.name === gap.name));
  return {
    ...check,
    ...(gaps.length > 0 ? { layoutGaps: gaps } : {}),
    ...(added.length > 0 ? { added } : {}),
  };
}

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
