import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { ResolvedConfig } from '../../config/resolved-config.js';
import { StewardError } from '../../errors/steward-error.js';
import { systemClock } from '../../ledger/clock.js';
import { LeaseKeeper } from '../../ledger/lease-keeper.js';
import { documentCollections } from '../../migrations/apply/migration-collections.js';
import { type DryRunTarget, runDryRun } from '../../migrations/dry-run/run-dry-run.js';
import { recordDryRun } from '../../migrations/report/dry-run-record.js';
import type { DryRunReport } from '../../migrations/report/dry-run-report.js';
import { writeDryRunReport } from '../../migrations/report/report-files.js';
import type { Collection } from '../../stores/store.js';
import { ensureOutDir, unwritable } from '../out-file.js';
import { actorOf, type RunOptions } from '../run-options.js';
import { type MigrationsWorkspace, withMigrations } from './with-migrations.js';

/** The lease a dry run holds: two dry runs at once would share their sandboxes. */
const dryRunLease = 'migrate.dry-run';
const leaseTtlMs = 60_000;

/** How a dry run is done. */
export interface MigrateDryRunInput {
  /** Copy a deterministic sample of at least this many documents per collection; default all. */
  readonly sample?: number;
  /**
   * The folder the report goes to (created if missing; one that cannot be written is refused,
   * exit 2, before the dry run starts); default `.steward/reports` beside the config file.
   */
  readonly reportsDir?: string;
}

/** Progress of a dry run: documents done in the stage named by `label`. */
export interface DryRunProgress {
  readonly label: string;
  readonly done: number;
}

/** What a dry run did: nothing when nothing is pending, else the report and where it was written. */
export type MigrateDryRunResult =
  | { readonly planHash: string; readonly pending: 0 }
  | {
      readonly json: string;
      readonly markdown: string;
      readonly hash: string;
      readonly report: DryRunReport;
    };

/**
 * Runs the plan in sandbox copies (`<ledger prefix>sandbox_<collection>`, or a sample of them):
 * before validators, up() on every document, after validators, a check against the contract's
 * schema, and down(up(doc)) = doc when there is a down. The sandboxes are dropped afterwards,
 * also on failure; the real collections are only read. Writes `<plan-hash>.json` and `.md` (the
 * report approvers sign), records the run in the ledger as the latest dry run of the plan (only
 * its report can be approved, and only if it passed) and an audit record. Holds the
 * `migrate.dry-run` lease meanwhile.
 */
export function migrateDryRun(
  config: ResolvedConfig,
  input: MigrateDryRunInput = {},
  options: RunOptions<DryRunProgress> = {},
): Promise<MigrateDryRunResult> {
  return withMigrations(config, actorOf(options), async (run) => {
    const { plan, state } = await run.loadPlan();
    if (plan.migrations.length === 0) return { planHash: plan.hash, pending: 0 as const };
    const dir = input.reportsDir ?? run.reportsDir;
    ensureOutDir(dir);
    const report = await underLease(run, (heartbeat) =>
      runDryRun({
        planHash: plan.hash,
        migrations: state.pending,
        targets: targets(run, state.pending.flatMap(documentCollections)),
        otherCollection: (name) => collectionOf(run, name),
        contracts: state.contracts,
        sandboxPrefix: run.config.ledger.prefix,
        ...(input.sample === undefined ? {} : { sample: input.sample }),
        batchSize: run.config.migrations.batchSize,
        heartbeat,
        onProgress: (label, done) => options.onProgress?.({ label, done }),
      }),
    );
    const files = writeReport(report, dir);
    await recordDryRun(run.ledger, report, files);
    return { ...files, report };
  });
}

/** Writes the report; a file that cannot be written is a clear error naming it (see `out-file.ts`). */
function writeReport(report: DryRunReport, dir: string): ReturnType<typeof writeDryRunReport> {
  try {
    return writeDryRunReport(report, dir);
  } catch (error) {
    throw unwritable(dir, error);
  }
}

/** Runs the dry run under its lease, renewed between batches, and releases it afterwards. */
async function underLease<T>(
  run: MigrationsWorkspace,
  work: (heartbeat: () => Promise<void>) => Promise<T>,
): Promise<T> {
  const holder = `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
  const lease = await run.ledger.acquireLease({ name: dryRunLease, holder, ttlMs: leaseTtlMs });
  const keeper = new LeaseKeeper(lease, leaseTtlMs, systemClock);
  try {
    return await work(() => keeper.renewIfDue());
  } finally {
    await lease.release().catch(() => undefined);
  }
}

function targets(run: MigrationsWorkspace, names: readonly string[]): Map<string, DryRunTarget> {
  const out = new Map<string, DryRunTarget>();
  for (const name of new Set(names)) {
    const c = run.config.collections.get(name);
    if (!c) throw unknown(run, name);
    out.set(name, {
      name,
      storeName: c.store,
      store: run.store(c.store),
      spec: c.spec,
      versionField: c.versionField,
    });
  }
  return out;
}

function collectionOf(run: MigrationsWorkspace, name: string): Collection {
  const c = run.config.collections.get(name);
  if (!c) throw unknown(run, name);
  return run.store(c.store).collection(c.spec);
}

function unknown(run: MigrationsWorkspace, name: string): StewardError {
  return new StewardError(
    'collection.unknown',
    `collection "${name}" is not declared in ${run.config.file ?? 'the config'}`,
    { collection: name },
  );
}
