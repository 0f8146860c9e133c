import type { IntegrityEvent } from './integrity-event.js';

/**
 * Somewhere integrity events are delivered: a file, a webhook. `deliver` gets events in the
 * order they happened, a batch at a time, and throws when it could not deliver them (after any
 * retries of its own); {@link Signals} turns that into a warning, never into a failed repair.
 */
export interface SignalSink {
  /** Named in warnings and in the delivery-failure metric: `jsonl`, `webhook`. */
  readonly name: string;
  deliver(events: readonly IntegrityEvent[]): Promise<void>;
}
