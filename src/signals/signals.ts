import type { IntegrityEvent, IntegrityEventListener } from './integrity-event.js';
import type { SignalSink } from './signal-sink.js';
import { type StewardMetrics, stewardMetrics } from './steward-metrics.js';

/** A sink that could not be reached; reported to the user, never failing the work that emitted. */
export interface SignalWarning {
  readonly sink: string;
  readonly events: number;
  readonly message: string;
}

export interface SignalsOptions {
  /** Default the process-wide set, {@link stewardMetrics}(). */
  readonly metrics?: StewardMetrics;
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
  readonly metrics: StewardMetrics;
  /** Pass as `onEvent` to scan, repair and the guard. */
  readonly listener: IntegrityEventListener = (event) => this.emit(event);
  private readonly sinks: readonly SignalSink[];
  private pending: IntegrityEvent[] = [];
  private delivering: Promise<void> = Promise.resolve();
  private warnings: SignalWarning[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly options: SignalsOptions = {}) {
    this.metrics = options.metrics ?? stewardMetrics();
    this.sinks = options.sinks ?? [];
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
    this.metrics.openIncidents.set({ reference }, n);
  }

  /** For the scan: a completed scan of a reference, its orphans and how long it took. */
  scanned(reference: string, orphans: number, durationMs: number): void {
    this.metrics.orphans.set({ reference }, orphans);
    this.metrics.scanDuration.observe({ reference }, durationMs / 1000);
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
        m.orphansFound.inc({ reference, source: event.source }, event.count);
        break;
      case 'tombstoned':
      case 'nullified':
      case 'rehydrated':
      case 'deleted':
        m.repairs.inc({ reference, action: event.type });
        break;
      case 'repair-refused':
        m.repairsRefused.inc({ reference }, event.count);
        break;
      case 'repaired':
        m.openIncidents.set({ reference }, event.open);
        m.repairDuration.observe({ reference }, event.durationMs / 1000);
        break;
      case 'rehydration-queued':
        m.rehydrationsQueued.inc({ reference });
        break;
      case 'guard-read':
        m.guardedReads.inc({ reference, status: event.status });
        break;
    }
  }
}
