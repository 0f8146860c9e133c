import type { JsonObject } from '../../core/json.js';
import type { DocKey } from '../../stores/store.js';
import type { ValidatorResult } from '../validators/validator-result.js';

/**
 * What a dry run found: the artifact approvers read and sign (its hash goes into the approval),
 * written as JSON and as markdown. Everything in it is plain JSON.
 */
export interface DryRunReport {
  readonly format: 'steward.migrations.dry-run/1';
  readonly planHash: string;
  readonly createdAt: string;
  /** True when no validator failed and no document failed. */
  readonly ok: boolean;
  /** The smallest sample asked for per collection (`--sample`), or null for full copies. */
  readonly sample: number | null;
  readonly sandboxes: readonly SandboxSummary[];
  readonly migrations: readonly MigrationDryRun[];
  readonly totals: { readonly changed: number; readonly unchanged: number; readonly failed: number };
  /** Documents migrated in the sandbox per second: read, `up`, written. */
  readonly throughput: { readonly documents: number; readonly seconds: number; readonly perSecond: number };
  /**
   * The time the full run would take at the measured throughput, for the documents the real
   * collections hold now. Apply also writes a before-image per document, and waits on its rate
   * limit and gates, so read it as a lower bound.
   */
  readonly estimate: { readonly documents: number; readonly seconds: number };
  /**
   * The time the real apply will take, summed over the collections' {@link ApplyEta}: apply's own
   * work per document and how its cost grows with the collection's size included. Absent from
   * reports written before it was (issue 17).
   */
  readonly eta?: DryRunEta;
}

/** The dry run's estimate of the real apply over every collection: a likely figure and a range. */
export interface DryRunEta {
  readonly documents: number;
  /** The likely time, in seconds, and the range it is expected within. */
  readonly seconds: number;
  readonly low: number;
  readonly high: number;
  /** How it was reckoned, in words (the same for every collection but for the figures). */
  readonly method: string;
}

/**
 * The estimate of apply over one real collection: the sandboxed apply's cost per document at the
 * sample's size (apply's own batch write, plus the second read apply makes), times how the cost per
 * document grows to the real size (a keyed write timed at two sizes, extrapolated as a power), with
 * the load the dry run met. See `dry-run/apply-eta.ts`.
 */
export interface ApplyEta {
  readonly documents: number;
  /** The likely time, at the load the dry run met, and the range (its low end a quiet machine). */
  readonly seconds: number;
  readonly low: number;
  readonly high: number;
  /** Documents the sandbox held during the pass. */
  readonly sandboxDocuments: number;
  /** The sandbox pass's wall time per document. */
  readonly passMsPerDocument: number;
  /**
   * Apply's time per document at the sample's size, as timed in the sandbox (its batch write and
   * two reads); of it, a read of one document; the CPU time of its batch write.
   */
  readonly applyMsPerDocument?: number;
  readonly readMsPerDocument?: number;
  readonly cpuMsPerDocument?: number;
  /** How much slower than alone a CPU-bound task ran during the pass: 1 on a quiet machine. */
  readonly contention?: number;
  /** Median time of one keyed write in a quarter of the sandbox and in the sandbox; null when not probed. */
  readonly writeMs: {
    readonly smallDocuments: number;
    readonly small: number;
    readonly largeDocuments: number;
    readonly large: number;
  } | null;
  /**
   * How a keyed write's cost grew with the collection, as cost ~ size^a: a near 1 where a write
   * scans the collection, near 0 on an indexed store. Quartiles of the paired timings.
   */
  readonly growthExponent: { readonly low: number; readonly likely: number; readonly high: number };
  readonly method: string;
}

/** One collection copied into the sandbox. */
export interface SandboxSummary {
  readonly collection: string;
  readonly store: string;
  readonly sandbox: string;
  /** Documents the real collection holds (an estimate). */
  readonly sourceDocuments: number;
  readonly copied: number;
  /** The key-hash fraction copied: 1 for the whole collection. */
  readonly fraction: number;
}

/** One migration run in the sandbox. */
export interface MigrationDryRun {
  readonly id: string;
  readonly description: string;
  readonly fromVersion: number;
  readonly targetVersion: number;
  readonly ok: boolean;
  readonly collections: readonly CollectionDryRun[];
  readonly validators: {
    readonly before: readonly ValidatorResult[];
    readonly after: readonly ValidatorResult[];
  };
  /**
   * Collection operations the sandbox does not repeat (indexes, copies): they change collections,
   * not documents. `rename-field` is rehearsed, on every document, as apply does it.
   */
  readonly operationsNotRehearsed: readonly string[];
  /** `down(up(doc))` against `doc` on every migrated document; null when there is no `down`. */
  readonly roundTrip: RoundTripCheck | null;
}

/** What `up` did to the documents of one collection in the sandbox. */
export interface CollectionDryRun {
  readonly collection: string;
  readonly examined: number;
  readonly changed: number;
  /** Already at (or past) the target version: left alone. */
  readonly unchanged: number;
  readonly failed: number;
  /** The first failed documents, with why; `failuresOmitted` more are counted only. */
  readonly failures: readonly DocumentProblem[];
  readonly failuresOmitted: number;
  /** Before and after of a few migrated documents, chosen by key hash (the same on every store). */
  readonly deltas: readonly DocumentDelta[];
  readonly durationMs: number;
  /** Documents the real collection holds now (an estimate), and the time `up` would take on them. */
  readonly estimatedDocuments: number;
  readonly estimatedSeconds: number;
  /** The real apply's estimate for this collection (absent from reports written before issue 17). */
  readonly eta?: ApplyEta;
}

/** A document and what is wrong with it. */
export interface DocumentProblem {
  readonly key: DocKey | null;
  readonly reason: string;
}

export interface DocumentDelta {
  readonly key: DocKey | null;
  readonly before: JsonObject;
  readonly after: JsonObject;
}

export interface RoundTripCheck {
  readonly checked: number;
  readonly mismatched: number;
  /** The first mismatches: `down` threw, refused, or gave back a different document (first differing path). */
  readonly problems: readonly DocumentProblem[];
}

/** Failed documents listed per collection; the rest are counted. */
export const maxListedFailures = 100;
/** Round-trip mismatches listed per migration. */
export const maxListedRoundTrips = 20;
