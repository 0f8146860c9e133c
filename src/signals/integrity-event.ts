import type { JsonObject } from '../core/json.js';
import type { DocKey } from '../stores/store.js';

/**
 * What the integrity capabilities (scan, repair, the read-time guard) say happened. They emit
 * these to a listener and know nothing of metrics, files or webhooks; `signals.ts` subscribes
 * and turns them into metrics and sink deliveries. All fields are JSON, so an event can be
 * written as a line or POSTed as it is.
 */
export type IntegrityEvent =
  /** Orphans found: by a scan (a count per reference) or by a read that met a missing target. */
  | (EventBase & {
      readonly type: 'orphan-found';
      readonly count: number;
      readonly source: 'scan' | 'guard';
      readonly collection?: string;
      readonly key?: DocKey;
    })
  /** One document repaired by the reference's policy. */
  | (EventBase & {
      readonly type: RepairEventType;
      readonly collection: string;
      readonly key: DocKey;
      readonly incident?: string;
      readonly detail?: JsonObject;
    })
  /** Deletions a repair refused for want of valid approvals. */
  | (EventBase & {
      readonly type: 'repair-refused';
      readonly count: number;
      readonly plan: string;
      readonly reasons: readonly string[];
    })
  /** One reference's repair run ended: what it did, and how many incidents are still open. */
  | (EventBase & {
      readonly type: 'repaired';
      readonly counts: Readonly<Record<string, number>>;
      readonly open: number;
      readonly durationMs: number;
    })
  /** A read met a missing target and asked for it to be rehydrated (once per reference and key). */
  | (EventBase & { readonly type: 'rehydration-queued'; readonly key: DocKey })
  /**
   * One guarded read and whether its target was there. Counted in metrics only: reads are far
   * too many to send anywhere, so sinks never receive this type.
   */
  | (EventBase & { readonly type: 'guard-read'; readonly status: 'ok' | 'missing' });

interface EventBase {
  /** The reference, `<collection>.<field>`. */
  readonly reference: string;
  /** ISO 8601 time it happened. */
  readonly at: string;
}

/** The events of one repaired document, named by what was done to it. */
export type RepairEventType = 'tombstoned' | 'nullified' | 'rehydrated' | 'deleted';

/** Receives integrity events. Must not throw and must not wait: capabilities call it inline. */
export type IntegrityEventListener = (event: IntegrityEvent) => void;
