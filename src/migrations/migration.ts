import type { JsonObject } from '../core/json.js';

/**
 * A migration: one file in the project's migrations folder that moves some collections from one
 * schema version to the next. `up` (and `down`) are pure functions of one document; steward does
 * the reading, batching, checkpointing, before-images and version bookkeeping around them.
 *
 * The target version's schema comes from the collection's contract, so a migration and the
 * contract it moves to cannot disagree: a plan whose target version is not in the contract is
 * refused.
 */
export interface MigrationDefinition {
  /** Unique, and sorts in the order migrations run: `2026-11-22-split-subject-name`. */
  readonly id: string;
  readonly description: string;
  /** steward's names of the collections whose documents `up` rewrites. */
  readonly collections: readonly string[];
  /** The schema version documents have after `up`. */
  readonly targetVersion: number;
  /**
   * The version `up` expects; default `targetVersion - 1`. A document already at the target (or
   * later) is left alone, so re-running is a no-op; one at another version is reported.
   */
  readonly fromVersion?: number;
  /** Rewrites one document at `fromVersion`; steward sets the version field afterwards. */
  readonly up: (doc: JsonObject) => JsonObject;
  /** The inverse of `up`. Without it, rollback restores the saved before-images. */
  readonly down?: (doc: JsonObject) => JsonObject;
  /** Collection-level operations run before the documents are rewritten (after, on rollback, in reverse). */
  readonly operations?: readonly CollectionOperation[];
  readonly validators?: {
    readonly before?: readonly ValidatorDefinition[];
    readonly after?: readonly ValidatorDefinition[];
  };
}

/** A change to a collection as a whole; each has an exact inverse for rollback. */
export type CollectionOperation =
  | {
      readonly kind: 'create-index';
      readonly collection: string;
      readonly name: string;
      readonly fields: readonly string[];
      readonly unique?: boolean;
    }
  | { readonly kind: 'drop-index'; readonly collection: string; readonly name: string }
  | { readonly kind: 'rename-field'; readonly collection: string; readonly from: string; readonly to: string }
  | { readonly kind: 'copy-collection'; readonly from: string; readonly to: string };

/**
 * A check run before or after a migration (dry run, canary gate, post-validation, rollback):
 * - `count`: the number of documents matching `where` is within bounds;
 * - `conforms`: documents conform to the contract's schema for the version they carry (at least
 *   `minPercent`, default 100);
 * - `query`: a custom check over a stream of documents, returning problems;
 * - `parity`: two read shapes of the same document agree (`read` old and new shape, compared).
 */
export type ValidatorDefinition =
  | {
      readonly kind: 'count';
      readonly name: string;
      readonly collection: string;
      readonly where?: JsonObject;
      readonly min?: number;
      readonly max?: number;
    }
  | {
      readonly kind: 'conforms';
      readonly name: string;
      readonly collection: string;
      readonly minPercent?: number;
    }
  | {
      readonly kind: 'query';
      readonly name: string;
      readonly collection: string;
      readonly where?: JsonObject;
      /** Returns a problem for a document that fails the check, or undefined. */
      readonly check: (doc: JsonObject) => string | undefined;
    }
  | {
      readonly kind: 'parity';
      readonly name: string;
      readonly collection: string;
      /** The value a reader of the old shape sees... */
      readonly before: (doc: JsonObject) => unknown;
      /** ...and what a reader of the new shape sees for the same document: they must be equal. */
      readonly after: (doc: JsonObject) => unknown;
    };

/** A migration as loaded: its definition, the file it came from and the file's checksum. */
export interface Migration extends MigrationDefinition {
  readonly file: string;
  /** SHA-256 of the file's bytes: an applied migration whose file changed is refused. */
  readonly checksum: string;
  readonly fromVersion: number;
}

/**
 * Declares a migration in `<id>.migration.ts` (default export). It returns its argument: the
 * value is in the types.
 */
export function defineMigration<const T extends MigrationDefinition>(migration: T): T {
  return migration;
}
