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
