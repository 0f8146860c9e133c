import type { MigrationCounts } from '../changelog.js';
import type { LineageEvent, MigrationStarted } from '../lineage.js';
import type { GateResult } from './apply-state.js';

/**
 * What apply and rollback say as they go. They emit these to a listener and know nothing of
 * terminals, metrics or sinks: the CLI draws progress from `progress` events; the library layer
 * counts them in metrics and turns `started`, `progress`, `lineage` and the run's end into
 * OpenLineage RunEvents for the transports configured under `migrations.lineage`, so downstream
 * pipelines learn which collections moved between which versions. All fields are JSON.
 */
export type MigrationEvent =
  | { readonly type: 'started'; readonly started: MigrationStarted }
  | {
      readonly type: 'progress';
      readonly migration: string;
      readonly stage: 'canary' | 'rest' | 'restore' | 'census';
      readonly collection: string;
      readonly counts: MigrationCounts;
      /** Documents read so far in this stage and collection by this run (for a progress bar). */
      readonly read?: number;
      /** The store's estimate of the documents in the collection, when it gave one. */
      readonly total?: number;
    }
  | { readonly type: 'gate'; readonly migration: string; readonly result: GateResult }
  | { readonly type: 'lineage'; readonly lineage: LineageEvent };

/** Receives migration events. Must not throw and must not wait: apply calls it inline. */
export type MigrationEventListener = (event: MigrationEvent) => void;
