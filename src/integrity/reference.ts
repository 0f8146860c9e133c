import type { BreakerSettings } from './breaker/breaker-settings.js';

/** What `refs repair` does to a document whose reference points at nothing. */
export const missingTargetPolicies = [
  'flag',
  'tombstone',
  'nullify',
  'rehydrate',
  'delete-dependent',
] as const;
export type MissingTargetPolicy = (typeof missingTargetPolicies)[number];

/**
 * A declared soft reference after resolution: documents of `collection` hold, at `field` (a dotted
 * path; an array there holds several keys), the key of a document in `target`. Source and target
 * may live in different stores.
 */
export interface ResolvedReference {
  /** `<collection>.<field>`, the key it is declared under; incidents and checkpoints use it. */
  readonly name: string;
  readonly collection: string;
  readonly field: string;
  readonly target: string;
  /** The service that keeps the reference correct. */
  readonly owner: string;
  readonly onMissing: MissingTargetPolicy;
  /** A null or absent reference is an orphan too, instead of being counted apart. */
  readonly required: boolean;
  /** Revalidate a reference not checked for this long, in milliseconds. */
  readonly revalidateAfterMs?: number;
  /** For `rehydrate`: the collection holding the source of truth, keyed like the target. */
  readonly rehydrateFrom?: string;
  /** When repair refuses to act (see `breaker/`); `defaultBreaker` when absent. */
  readonly breaker?: BreakerSettings;
}
