import { Counter, collectDefaultMetrics, Gauge, Histogram, type Metric, Registry } from 'prom-client';

/**
 * Steward's Prometheus metrics, as prom-client objects. The capabilities record into them through
 * the recorders in this folder (`Signals` for integrity events, `recordDrift`, `migrationMetrics`);
 * the names are what dashboards and alerts query, listed in docs/integrity.md ("Metrics").
 *
 * Names follow the Prometheus conventions: the `steward_` prefix, `_total` on counters and only
 * there, `_seconds` on durations, base units. A gauge that counts things says what it counts
 * (`steward_orphans`, `steward_migration_documents_done`), never `_total`.
 */
export interface StewardMetrics {
  /** The registry the metrics were registered in when made; more can be added with {@link registerStewardMetrics}. */
  readonly registry: Registry;
  /** Orphaned references found, by a scan or by a guarded read. */
  readonly orphansFound: Counter<'reference' | 'source'>;
  /** Orphans the last completed scan of a reference found. */
  readonly orphans: Gauge<'reference'>;
  /** Open integrity incidents per reference, as the last scan or repair left them. */
  readonly openIncidents: Gauge<'reference'>;
  /** Documents repaired, by the action the reference's policy took. */
  readonly repairs: Counter<'reference' | 'action'>;
  /** Deletions a repair refused for want of valid approvals. */
  readonly repairsRefused: Counter<'reference'>;
  readonly repairDuration: Histogram<'reference'>;
  readonly scanDuration: Histogram<'reference'>;
  readonly guardedReads: Counter<'reference' | 'status'>;
  readonly rehydrationsQueued: Counter<'reference'>;
  readonly deliveryFailures: Counter<'sink'>;
  /** Drifted documents the last check of a derived state found. */
  readonly drift: Gauge<'derived'>;
  /** Drifted documents found, over every check. */
  readonly driftFound: Counter<'derived'>;
  readonly driftCheckDuration: Histogram<'derived'>;
  /** Derived documents a drift repair handled, by outcome (written, unchanged, skipped, failed). */
  readonly driftRepairs: Counter<'derived' | 'outcome'>;
  /** Now minus the oldest projection of a derived state, when `derived status` last measured it. */
  readonly derivedLag: Gauge<'derived'>;
  /** The staleness a derived state's policy allows; absent for "immediate" and snapshots. */
  readonly derivedStalenessAllowance: Gauge<'derived'>;
  /** 1 when the derived state was within its policy at the last measure, 0 when outside. */
  readonly derivedWithinPolicy: Gauge<'derived'>;
  /** Documents a migration stage has processed (changed, skipped or failed). */
  readonly migrationDone: Gauge<'migration' | 'stage' | 'collection'>;
  /** Documents of a migration's collection, as the store estimated them when the stage began. */
  readonly migrationPlanned: Gauge<'migration' | 'collection'>;
  /** Migration runs finished, by how they ended. */
  readonly migrationRuns: Counter<'direction' | 'outcome'>;
}

/** Durations of scans, checks and repairs: from 50 ms to an hour. */
const durationBuckets = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600];

/**
 * Where steward's metrics live unless told otherwise: one registry per process, so the server's
 * `/metrics` shows what every capability in the process counted.
 */
export const defaultRegistry = new Registry();

let processWide: StewardMetrics | undefined;

/**
 * Steward's metrics. Without options: the one process-wide set, registered in
 * {@link defaultRegistry}, which every capability records into unless its `RunOptions.metrics`
 * names another set. With `registry`: a new set of its own registered there (a test, or a host
 * that keeps tenants apart), to pass as `metrics` to the capabilities. `processMetrics` also
 * collects prom-client's default process metrics (CPU, memory, event loop) into that registry.
 */
export function stewardMetrics(
  options: { registry?: Registry; processMetrics?: boolean } = {},
): StewardMetrics {
  if (options.registry === undefined) {
    processWide ??= createMetrics(defaultRegistry);
    if (options.processMetrics) collectProcessMetrics(defaultRegistry);
    return processWide;
  }
  const metrics = createMetrics(options.registry);
  if (options.processMetrics) collectProcessMetrics(options.registry);
  return metrics;
}

/**
 * Shows steward's process-wide metrics in a host service's own registry too, next to its own:
 * the same metric objects, so what the capabilities record appears in both. Returns the set.
 */
export function registerStewardMetrics(
  registry: Registry,
  options: { processMetrics?: boolean } = {},
): StewardMetrics {
  const metrics = stewardMetrics();
  for (const metric of metricsOf(metrics))
    if (registry.getSingleMetric(nameOf(metric)) === undefined) registry.registerMetric(metric);
  if (options.processMetrics) collectProcessMetrics(registry);
  return metrics;
}

const withProcessMetrics = new WeakSet<Registry>();

/** prom-client's default process metrics in `registry`, once however often asked. */
export function collectProcessMetrics(registry: Registry): void {
  if (withProcessMetrics.has(registry)) return;
  withProcessMetrics.add(registry);
  collectDefaultMetrics({ register: registry });
}

/** Every metric of a set, for registering it elsewhere. */
function metricsOf(metrics: StewardMetrics): Metric[] {
  return Object.values(metrics).filter((m): m is Metric => !(m instanceof Registry));
}

function nameOf(metric: Metric): string {
  return (metric as unknown as { name: string }).name;
}

function createMetrics(registry: Registry): StewardMetrics {
  const registers = [registry];
  const counter = <L extends string>(name: string, help: string, labelNames: readonly L[]) =>
    new Counter<L>({ name, help, labelNames, registers });
  const gauge = <L extends string>(name: string, help: string, labelNames: readonly L[]) =>
    new Gauge<L>({ name, help, labelNames, registers });
  const histogram = <L extends string>(name: string, help: string, labelNames: readonly L[]) =>
    new Histogram<L>({ name, help, labelNames, buckets: durationBuckets, registers });
  return {
    registry,
    orphansFound: counter('steward_orphans_found_total', 'Orphaned references found', [
      'reference',
      'source',
    ]),
    orphans: gauge('steward_orphans', 'Orphans found by the last completed scan of the reference', [
      'reference',
    ]),
    openIncidents: gauge('steward_open_incidents', 'Open integrity incidents per reference', ['reference']),
    repairs: counter('steward_repairs_total', 'Documents repaired, by action', ['reference', 'action']),
    repairsRefused: counter(
      'steward_repairs_refused_total',
      'Deletions refused for want of valid approvals',
      ['reference'],
    ),
    repairDuration: histogram('steward_repair_duration_seconds', 'Duration of repair runs', ['reference']),
    scanDuration: histogram('steward_scan_duration_seconds', 'Duration of completed reference scans', [
      'reference',
    ]),
    guardedReads: counter('steward_guarded_reads_total', 'Reads through the reference guard', [
      'reference',
      'status',
    ]),
    rehydrationsQueued: counter('steward_rehydrations_queued_total', 'Rehydration requests queued by reads', [
      'reference',
    ]),
    deliveryFailures: counter(
      'steward_signal_delivery_failures_total',
      'Event batches a sink could not take',
      ['sink'],
    ),
    drift: gauge('steward_drift', 'Drifted documents found by the last check of the derived state', [
      'derived',
    ]),
    driftFound: counter('steward_drift_found_total', 'Drifted documents found by drift checks', ['derived']),
    driftCheckDuration: histogram('steward_drift_check_duration_seconds', 'Duration of drift checks', [
      'derived',
    ]),
    driftRepairs: counter(
      'steward_drift_repairs_total',
      'Derived documents handled by drift repairs, by outcome',
      ['derived', 'outcome'],
    ),
    derivedLag: gauge('steward_derived_lag_seconds', 'Age of the oldest projection of the derived state', [
      'derived',
    ]),
    derivedStalenessAllowance: gauge(
      'steward_derived_staleness_allowance_seconds',
      "Staleness the derived state's policy allows",
      ['derived'],
    ),
    derivedWithinPolicy: gauge(
      'steward_derived_within_policy',
      '1 when the derived state kept its freshness policy at the last measure, 0 when not',
      ['derived'],
    ),
    migrationDone: gauge('steward_migration_documents_done', 'Documents a migration stage has processed', [
      'migration',
      'stage',
      'collection',
    ]),
    migrationPlanned: gauge(
      'steward_migration_documents_planned',
      "Documents in a migration's collection, as estimated when it started",
      ['migration', 'collection'],
    ),
    migrationRuns: counter('steward_migration_runs_total', 'Migration runs finished, by outcome', [
      'direction',
      'outcome',
    ]),
  };
}
