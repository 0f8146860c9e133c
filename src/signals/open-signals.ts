import type { ResolvedSignals } from '../config/resolve-signals.js';
import { JsonlSink } from './jsonl-sink.js';
import type { SignalSink } from './signal-sink.js';
import { Signals } from './signals.js';
import type { StewardMetrics } from './steward-metrics.js';
import { WebhookSink } from './webhook-sink.js';

/**
 * Signals with the sinks the config's `signals` names; none configured, it only counts metrics
 * (into `metrics`, default the process-wide set).
 */
export function openSignals(settings: ResolvedSignals, options: { metrics?: StewardMetrics } = {}): Signals {
  const sinks: SignalSink[] = [];
  if (settings.jsonl) sinks.push(new JsonlSink(settings.jsonl));
  if (settings.webhook) sinks.push(new WebhookSink(settings.webhook));
  return new Signals({ sinks, ...(options.metrics ? { metrics: options.metrics } : {}) });
}
