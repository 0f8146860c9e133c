import { StewardError } from '../errors/steward-error.js';
import { type MetricFamily, type MetricType, renderPrometheus } from './prometheus-text.js';

/** Label values of one sample, by label name. */
export type Labels = Readonly<Record<string, string>>;

const namePattern = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;

/**
 * An in-process registry of counters and gauges with labels: what steward counts while it works
 * (orphans found, repairs done, guarded reads). It lives in memory only; the server renders it
 * with {@link MetricsRegistry.toPrometheus} on `/metrics`, and a CLI run simply lets it go.
 */
export class MetricsRegistry {
  private readonly metrics = new Map<string, Metric>();

  /** The counter of that name, created on first use. Counters only go up. */
  counter(name: string, help: string, labelNames: readonly string[] = []): Counter {
    return this.metric(name, 'counter', labelNames, () => new Counter(name, help, labelNames));
  }

  /** The gauge of that name, created on first use. Gauges hold the last value set. */
  gauge(name: string, help: string, labelNames: readonly string[] = []): Gauge {
    return this.metric(name, 'gauge', labelNames, () => new Gauge(name, help, labelNames));
  }

  /** Every metric with its current samples. */
  families(): MetricFamily[] {
    return [...this.metrics.values()].map((m) => m.family());
  }

  /** The Prometheus text exposition of every metric. */
  toPrometheus(): string {
    return renderPrometheus(this.families());
  }

  private metric<M extends Metric>(
    name: string,
    type: MetricType,
    labelNames: readonly string[],
    make: () => M,
  ): M {
    const existing = this.metrics.get(name);
    if (existing) {
      if (existing.type !== type || existing.labelNames.join() !== labelNames.join())
        throw new StewardError(
          'usage',
          `metric ${name} is already registered as a ${existing.type} with other labels`,
        );
      return existing as M;
    }
    if (!namePattern.test(name)) throw new StewardError('usage', `"${name}" is not a valid metric name`);
    const metric = make();
    this.metrics.set(name, metric);
    return metric;
  }
}

abstract class Metric {
  abstract readonly type: MetricType;
  protected readonly values = new Map<string, { labels: Labels; value: number }>();

  constructor(
    readonly name: string,
    readonly help: string,
    readonly labelNames: readonly string[],
  ) {}

  /** The current value for these labels (0 when never touched). */
  get(labels: Labels = {}): number {
    return this.values.get(this.id(labels))?.value ?? 0;
  }

  family(): MetricFamily {
    const samples = [...this.values.values()].map(({ labels, value }) => ({ labels, value }));
    return { name: this.name, help: this.help, type: this.type, samples };
  }

  protected put(labels: Labels, update: (current: number) => number): void {
    const id = this.id(labels);
    const current = this.values.get(id)?.value ?? 0;
    this.values.set(id, { labels: this.pick(labels), value: update(current) });
  }

  /** Only declared labels, every one of them: a typo in a label name is a bug, caught at once. */
  private pick(labels: Labels): Labels {
    for (const name of Object.keys(labels))
      if (!this.labelNames.includes(name))
        throw new StewardError('usage', `metric ${this.name} has no label "${name}"`);
    return Object.fromEntries(this.labelNames.map((n) => [n, labels[n] ?? '']));
  }

  private id(labels: Labels): string {
    return JSON.stringify(this.labelNames.map((n) => labels[n] ?? ''));
  }
}

/** A value that only goes up: events counted since the process started. */
export class Counter extends Metric {
  readonly type = 'counter' as const;

  inc(labels: Labels = {}, by = 1): void {
    if (!(by >= 0)) throw new StewardError('usage', `counter ${this.name} cannot go down (inc by ${by})`);
    this.put(labels, (current) => current + by);
  }
}

/** A value that is set: how many incidents are open now, how long the last run took. */
export class Gauge extends Metric {
  readonly type = 'gauge' as const;

  set(labels: Labels, value: number): void {
    this.put(labels, () => value);
  }
}
