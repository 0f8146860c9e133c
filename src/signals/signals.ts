import type { IntegrityEvent, IntegrityEventListener } from './integrity-event.js';
import { type Counter, type Gauge, MetricsRegistry } from './metrics-registry.js';
import type { SignalSink } from './signal-sink.js';

/** A sink that could not be reached; reported to the user, never failing the work that emitted. */
export interface SignalWarning {
  readonly sink: string;
  readonly events: number;
  readonly message: string;
}

/**
 * The registry steward's metrics live in unless told otherwise: one per process, so the server's
 * `/metrics` shows what every capability in the process counted.
 */
export const defaultMetrics = new MetricsRegistry();

export interface SignalsOptions {
  readonly registry?: MetricsRegistry;
  readonly sinks?: readonly SignalSink[];
  /** Events held before a delivery starts. Default 100. */
  readonly batchSize?: number;
  /** Longest an event waits for its batch to fill. Default 1000. */
  readonly maxDelayMs?: number;
}

/**
 * Where integrity events end up: counted in the metrics registry, and delivered to the sinks
 * (a JSON-lines file, a webhook) in batches, in order. Delivery runs in the background; a sink
 * that fails is retried by the sink, then becomes a warning from {@link Signals.flush}, so a
 * dead webhook never fails a repair. Pass {@link Signals.listener} to a capability as its
 * `onEvent`.
 */
export class Signals {
  readonly registry: MetricsRegistry;
  /** Pass as `onEvent` to scan, repair and the guard. */
  readonly listener: IntegrityEventListener = (event) => this.emit(event);
  private readonly sinks: readonly SignalSink[];
  private readonly metrics: IntegrityMetrics;
  private pending: IntegrityEvent[] = [];
  private delivering: Promise<void> = Promise.resolve();
  private warnings: SignalWarning[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly options: SignalsOptions = {}) {
    this.registry = options.registry ?? defaultMetrics;
    this.sinks = options.sinks ?? [];
    this.metrics = integrityMetrics(this.registry);
  }

  /** Counts an event and queues it for the sinks. Never throws, never waits. */
  emit(event: IntegrityEvent): void {
    this.count(event);
    if (event.type === 'guard-read' || this.sinks.length === 0) return;
    this.pending.push(event);
    if (this.pending.length >= (this.options.batchSize ?? 100)) this.send();
    else this.timer ??= setTimeout(() => this.send(), this.options.maxDelayMs ?? 1000).unref();
  }

  /** For the scan: `n` orphans found for a reference. */
  orphansFound(reference: string, n: number, at = new Date().toISOString()): void {
    if (n > 0) this.emit({ type: 'orphan-found', reference, count: n, source: 'scan', at });
  }

  /** For the scan and repair: how many incidents of a reference are open now. */
  openIncidents(reference: string, n: number): void {
    this.metrics.open.set({ reference }, n);
  }

  /** Delivers everything queued and waits for it; returns the warnings since the last flush. */
  async flush(): Promise<SignalWarning[]> {
    this.send();
    await this.delivering;
    const warnings = this.warnings;
    this.warnings = [];
    return warnings;
  }

  private send(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pending.length === 0) return;
    const batch = this.pending;
    this.pending = [];
    this.delivering = this.delivering.then(() => this.deliver(batch));
  }

  private async deliver(batch: readonly IntegrityEvent[]): Promise<void> {
    await Promise.all(
      this.sinks.map(async (sink) => {
        try {
          await sink.deliver(batch);
        } catch (error) {
          this.metrics.deliveryFailures.inc({ sink: sink.name });
          this.warnings.push({ sink: sink.name, events: batch.length, message: (error as Error).message });
        }
      }),
    );
  }

  private count(event: IntegrityEvent): void {
    const m = this.metrics;
    const reference = event.reference;
    switch (event.type) {
      case 'orphan-found':
        m.orphans.inc({ reference, source: event.source }, event.count);
        break;
      case 'tombstoned':
      case 'nullified':
      case 'rehydrated':
      case 'deleted':
        m.repairs.inc({ reference, action: event.type });
        break;
      case 'repair-refused':
        m.refused.inc({ reference }, event.count);
        break;
      case 'repaired':
        m.open.set({ reference }, event.open);
        m.duration.set({ reference }, event.durationMs / 1000);
        break;
      case 'rehydration-queued':
        m.queued.inc({ reference });
        break;
      case 'guard-read':
        m.reads.inc({ reference, status: event.status });
        break;
    }
  }
}

interface IntegrityMetrics {
  readonly orphans: Counter;
  readonly open: Gauge;
  readonly repairs: Counter;
  readonly refused: Counter;
  readonly duration: Gauge;
  readonly reads: Counter;
  readonly queued: Counter;
  readonly deliveryFailures: Counter;
}

/** The integrity metrics, registered once per registry. Their names are what dashboards query. */
function integrityMetrics(r: MetricsRegistry): IntegrityMetrics {
  return {
    orphans: r.counter('steward_orphans_found_total', 'Orphaned references found', ['reference', 'source']),
    open: r.gauge('steward_open_incidents', 'Open integrity incidents per reference', ['reference']),
    repairs: r.counter('steward_repairs_total', 'Documents repaired, by action', ['reference', 'action']),
    refused: r.counter('steward_repairs_refused_total', 'Deletions refused for want of valid approvals', [
      'reference',
    ]),
    duration: r.gauge('steward_repair_last_duration_seconds', "Duration of the reference's last repair run", [
      'reference',
    ]),
    reads: r.counter('steward_guarded_reads_total', 'Reads through the reference guard', [
      'reference',
      'status',
    ]),
    queued: r.counter('steward_rehydrations_queued_total', 'Rehydration requests queued by reads', [
      'reference',
    ]),
    deliveryFailures: r.counter(
      'steward_signal_delivery_failures_total',
      'Event batches a sink could not take',
      ['sink'],
    ),
  };
}
