import type { ResolvedSignals } from '../config/resolve-signals.js';
import { JsonlSink } from './jsonl-sink.js';
import type { MetricsRegistry } from './metrics-registry.js';
import type { SignalSink } from './signal-sink.js';
import { Signals } from './signals.js';
import { WebhookSink } from './webhook-sink.js';

/** Signals with the sinks the config's `signals` names; none configured, it only counts metrics. */
export function openSignals(
  settings: ResolvedSignals,
  options: { registry?: MetricsRegistry } = {},
): Signals {
  const sinks: SignalSink[] = [];
  if (settings.jsonl) sinks.push(new JsonlSink(settings.jsonl));
  if (settings.webhook) sinks.push(new WebhookSink(settings.webhook));
  return new Signals({ sinks, ...(options.registry ? { registry: options.registry } : {}) });
}
