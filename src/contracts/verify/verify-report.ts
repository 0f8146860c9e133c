import type { DocKey } from '../../stores/store.js';
import type { SchemaFailure } from '../schema-registry.js';

/**
 * What `contracts verify` found in one collection: how many stored documents conform to the
 * schema of the version they carry. A result, not an exception: a collection full of bad
 * documents is a finding to report, and the CLI alone turns it into an exit code.
 *
 * Every document examined lands in exactly one bucket, so
 * `checked = conforming + nonConforming + missingVersion + unknownVersion.count`.
 */
export interface VerifyReport {
  readonly collection: string;
  readonly versionField: string;
  /** The sampled fraction (0 < f <= 1), or 1 when every document was examined. */
  readonly sample: number;
  /** Documents read from the store. */
  readonly scanned: number;
  /** Documents examined: all of `scanned`, or those in the sample. */
  readonly checked: number;
  /** Documents valid against the schema of the declared version they carry. */
  readonly conforming: number;
  /** Documents that carry a declared version and fail its schema. */
  readonly nonConforming: number;
  /**
   * `conforming` over `checked`, in percent, rounded down to two decimals so a collection with
   * one bad document in a million never shows 100. 100 when nothing was checked.
   */
  readonly percentConforming: number;
  /** Documents per declared version: the census. Keys are version numbers. */
  readonly census: Readonly<Record<string, number>>;
  /** Conformance of each declared version, oldest first; versions no document carries included. */
  readonly versions: readonly VersionConformance[];
  /** Documents without the version field (absent or null), when the contract assumes no version for them. */
  readonly missingVersion: number;
  /**
   * Documents without the version field taken to be at the contract's `assumeVersion` and checked
   * as that version: counted in `conforming` or `nonConforming` too, and in the census.
   */
  readonly assumedVersion: number;
  /** Documents whose version field holds a value no contract version declares. */
  readonly unknownVersion: UnknownVersions;
  /** The first non-conforming documents, in scan order, at most `maxFailures` of them. */
  readonly failures: readonly DocumentFailure[];
  readonly durationMs: number;
}

/** The conformance of the documents carrying one declared version. */
export interface VersionConformance {
  readonly version: number;
  readonly documents: number;
  readonly conforming: number;
  readonly percentConforming: number;
}

/**
 * Documents carrying an undeclared version, with a census of the values seen. Values are shown as
 * JSON (`3`, `"v2"`), so a string `"1"` is not mistaken for version 1. Only the first
 * {@link maxUnknownValues} distinct values are counted by name; the rest go to `otherValues`,
 * which keeps memory flat when the field holds garbage such as timestamps.
 */
export interface UnknownVersions {
  readonly count: number;
  readonly values: Readonly<Record<string, number>>;
  readonly otherValues: number;
}

/** One document that fails the schema of its version, and every way it fails (up to a cap). */
export interface DocumentFailure {
  /** The document's key, or null when it has none of a valid type. */
  readonly key: DocKey | null;
  readonly version: number;
  readonly failures: readonly SchemaFailure[];
  /** Failures beyond {@link maxFailuresPerDocument} not listed, so one huge bad array stays one line. */
  readonly omitted: number;
}

/** Distinct unknown version values counted by name. */
export const maxUnknownValues = 20;

/** Schema failures kept per document. */
export const maxFailuresPerDocument = 20;
