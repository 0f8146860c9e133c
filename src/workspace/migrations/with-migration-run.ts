import { randomBytes } from 'node:crypto';
import type { ResolvedConfig } from '../../config/resolved-config.js';
import { type LoadedContracts, loadContracts } from '../../contracts/load-contracts.js';
import { formatAuditHead } from '../../ledger/audit-head-ref.js';
import type { Ledger } from '../../ledger/ledger.js';
import { touchedCollections } from '../../migrations/apply/migration-collections.js';
import type { MigrationEvent, MigrationEventListener } from '../../migrations/apply/migration-events.js';
import { type MigrationTarget, migrationTarget } from '../../migrations/apply/migration-target.js';
import { loadMigrations } from '../../migrations/load-migrations.js';
import type { Migration } from '../../migrations/migration.js';
import { LineagePublisher, lineageTransports } from '../../signals/lineage-publisher.js';
import {
  migrationMetricsListener,
  recordMigrationRun,
  recordPlannedDocuments,
} from '../../signals/migration-metrics.js';
import { type MigrationRunEnd, OpenLineageRuns } from '../../signals/openlineage-runs.js';
import type { SignalWarning } from '../../signals/signals.js';
import { type StewardMetrics, stewardMetrics } from '../../signals/steward-metrics.js';
import { checkDeclarations } from '../contracts/check-declarations.js';
import { actorOf, type RunOptions } from '../run-options.js';
import { withWorkspace } from '../workspace.js';

/**
 * The migrations a run works on, from which its one target store is chosen (see
 * `migrationsToApply`, `migrationsToRollBack`); default every migration file.
 */
export type SelectMigrations = (
  ledger: Ledger,
  migrations: readonly Migration[],
) => Promise<readonly Migration[]>;

/** What apply and rollback get: the ledger, the target store, the loaded files, who runs them. */
export interface MigrationRun {
  readonly ledger: Ledger;
  readonly target: MigrationTarget;
  readonly migrations: readonly Migration[];
  readonly contracts: LoadedContracts;
  readonly actor: string;
  readonly holder: string;
  readonly signal?: AbortSignal;
  readonly onEvent: MigrationEventListener;
  /**
   * Ends the job's OpenLineage runs as `end` says (approvals and the audit head added), counts the
   * run in the metrics, and waits for the lineage transports; returns their failures.
   */
  finish(end: RunEnd): Promise<SignalWarning[]>;
}

/** How the job ended, as {@link MigrationRun.finish} takes it. */
export interface RunEnd {
  readonly direction: 'up' | 'down';
  /** The report's status: `applied`, `rolled-back`, `paused`, `gate-failed`, `nothing`... */
  readonly status: string;
  readonly approvals?: MigrationRunEnd['approvals'];
}

/**
 * Loads the migrations and contracts, opens the ledger's store and the migrations' store, and
 * runs `work`; always closes the stores. Events go to `onProgress` as they come, and to the
 * metrics and the OpenLineage runs, whose RunEvents are sent in the background to the transports
 * of `migrations.lineage`. A job that throws ends its open runs with FAIL and the error's message.
 * Aborting `signal` pauses the run after its batch in flight, keeping its checkpoint.
 */
export async function withMigrationRun<T>(
  config: ResolvedConfig,
  options: RunOptions<MigrationEvent>,
  work: (run: MigrationRun) => Promise<T>,
  select: SelectMigrations = async (_ledger, all) => all,
): Promise<T> {
  const migrations = await loadMigrations(config.migrations.dir);
  const contracts = await loadContracts(config.contracts.dir);
  await checkDeclarations(config, contracts.contracts);
  const actor = actorOf(options);
  const metrics = options.metrics ?? stewardMetrics();
  // Every store a migration touches is opened (lazily): which one this run changes is decided by
  // `select` from the changelog, which is read once the ledger is open.
  const collections = migrations.flatMap((m) => touchedCollections(m));
  return withWorkspace(config, { collections }, actor, async ({ ledger, store }) => {
    const target = migrationTarget(config, await select(ledger, migrations), store);
    const runs = new OpenLineageRuns({ namespace: config.migrations.lineage.jobNamespace });
    const publisher = new LineagePublisher(lineageTransports(config.migrations.lineage));
    const estimates: Promise<void>[] = [];
    const countProgress = migrationMetricsListener(metrics);
    const onEvent: MigrationEventListener = (event) => {
      countProgress(event);
      if (event.type === 'started') estimates.push(estimatePlanned(metrics, target, event));
      publisher.publish(runs.on(event));
      options.onProgress?.(event);
    };
    const close = async (end: Omit<MigrationRunEnd, 'at' | 'auditHead'>) => {
      await Promise.all(estimates.splice(0));
      const auditHead = formatAuditHead(await ledger.audit.tip());
      publisher.publish(runs.close({ ...end, auditHead, at: new Date().toISOString() }));
      return publisher.flush();
    };
    const finish = (end: RunEnd) => {
      recordMigrationRun(metrics, end.direction, end.status);
      return close({
        outcome: outcomeOf(end),
        ...(end.approvals ? { approvals: end.approvals } : {}),
      });
    };
    try {
      return await work({
        ledger,
        target,
        migrations,
        contracts,
        actor,
        holder: `${actor}#${process.pid}-${randomBytes(3).toString('hex')}`,
        ...(options.signal ? { signal: options.signal } : {}),
        onEvent,
        finish,
      });
    } catch (error) {
      await close({ outcome: 'error', message: (error as Error).message }).catch(() => undefined);
      throw error;
    }
  });
}

/** A rollback that rolled back is done; an apply that rolled back (autoRollback) failed. */
function outcomeOf({ direction, status }: RunEnd): MigrationRunEnd['outcome'] {
  if (status === 'paused' || status === 'gate-failed') return status;
  if (status === 'rolled-back') return direction === 'down' ? 'done' : 'rolled-back';
  return status === 'applied' || status === 'nothing' || status === 'nothing-pending' ? 'done' : 'error';
}

/**
 * The documents a starting migration will go through, as the store estimates them cheaply (an
 * index or table count), for the progress gauges. A failed estimate leaves the gauge unset.
 */
async function estimatePlanned(
  metrics: StewardMetrics,
  target: MigrationTarget,
  event: Extract<MigrationEvent, { type: 'started' }>,
): Promise<void> {
  const { migration, collections } = event.started;
  for (const name of collections) {
    try {
      const documents = await target.collection(name).handle.count({ estimate: true });
      recordPlannedDocuments(metrics, migration, name, documents);
    } catch {
      // a collection an operation has yet to create, or a store that cannot estimate: no gauge
    }
  }
}
