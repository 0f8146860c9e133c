import type { Clock } from '../../ledger/clock.js';
import type { Lease } from '../../ledger/lease.js';
import type { Ledger } from '../../ledger/ledger.js';
import type { Collection, Segment } from '../../stores/store.js';
import type { ResolvedReference } from '../reference.js';

/** What one scan of a reference needs: the reference, both collections (in any stores) and the ledger. */
export interface ScanReferenceInput {
  readonly reference: ResolvedReference;
  readonly source: Collection;
  /** The target collection, in its own store (which may differ from the source's). */
  readonly target: Collection;
  readonly ledger: Ledger;
  /** Only this segment of the source; the lease and checkpoint are per segment. */
  readonly segment?: Segment;
  /**
   * Source documents per batch (one page, one lookup). Default the source's
   * `preferredScanLimit` (DynamoDB: 5000, a page there stopping at 1 MB read), else 1000.
   */
  readonly batch?: number;
  /**
   * Least time between two checkpoints, in ms: batches checked meanwhile are committed together
   * (their incidents, then one checkpoint); the first and the last batch always are. A killed scan redoes
   * about this much work, idempotently. Default 5000 (on DynamoDB each commit costs a few requests
   * of about a millisecond of CPU each: incidents read and written, the checkpoint and a lease
   * check); 0 commits after every batch.
   */
  readonly checkpointEveryMs?: number;
  /**
   * Let the source's store check the reference itself when it can (`Collection.referenceCheck`:
   * SQLite with both collections in one file), so only unresolved documents leave it. Default
   * true; false scans and looks keys up here on every store. Outcomes, counts and incidents are
   * the same either way; only `lookups` differs.
   */
  readonly pushdown?: boolean;
  /** At most this many source documents per second, on average. Default: no limit. */
  readonly rate?: number;
  /** Ignore a checkpoint and start over. */
  readonly restart?: boolean;
  /** Who holds the lease: unique per process. */
  readonly holder: string;
  /** How long a killed scan keeps its segment locked. Default 60 s. */
  readonly leaseTtlMs?: number;
  /**
   * When the segment's lease is held, wait once until the expiry it shows, then try again: the
   * lease of a killed scan lapses by then, a running scan's has been renewed and the second try
   * fails with `lease.held`. For restarted workers (a Kubernetes Job's pod). Default false.
   */
  readonly waitForLease?: boolean;
  readonly clock?: Clock;
  /**
   * Aborting stops the scan at the next batch boundary (a rate-limit wait ends at once): the
   * batches checked are committed with a checkpoint, and the report says `interrupted`; the same
   * scan resumes from there.
   */
  readonly signal?: AbortSignal;
  /** Progress, for a progress bar or a log; called after every batch and every checkpoint. */
  onEvent?(event: ScanEvent): void;
}

/** What a running scan reports as it goes. */
export type ScanEvent =
  | { readonly type: 'started'; readonly reference: string; readonly resumedAt: number | null }
  | { readonly type: 'waiting'; readonly reference: string; readonly holder: string; readonly until: number }
  /** A batch is checked (not yet committed): for a progress bar. */
  | { readonly type: 'batch'; readonly reference: string; readonly scanned: number }
  | {
      /** Batches are checked and their checkpoint stored. */
      readonly type: 'checkpoint';
      readonly reference: string;
      readonly scanned: number;
      readonly problems: number;
    };

/** One running scan: its input, its ledger job name, the lease it holds and its clock. */
export interface ScanJob {
  readonly input: ScanReferenceInput;
  readonly name: string;
  readonly lease: Lease;
  readonly clock: Clock;
}
