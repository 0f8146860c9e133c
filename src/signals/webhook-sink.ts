import type { IntegrityEvent } from './integrity-event.js';
import { type PostOptions, postJson } from './post-json.js';
import type { SignalSink } from './signal-sink.js';

export type WebhookOptions = PostOptions;

/**
 * POSTs each batch of events as `{"events": [...]}` (JSON) to a URL, retrying as
 * {@link postJson} does. When every attempt failed it throws, and the caller warns.
 */
export class WebhookSink implements SignalSink {
  readonly name = 'webhook';

  constructor(private readonly options: WebhookOptions) {}

  async deliver(events: readonly IntegrityEvent[]): Promise<void> {
    if (events.length === 0) return;
    await postJson(this.options, JSON.stringify({ events }));
  }
}
