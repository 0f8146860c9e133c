import { isJsonObject, type JsonObject, type JsonValue } from '../../core/json.js';
import type { DocKey } from '../../stores/store.js';
import type { SchemaFailure } from '../schema-registry.js';
import {
  type DocumentFailure,
  maxFailuresPerDocument,
  maxUnknownValues,
  type VerifyReport,
} from './verify-report.js';

/**
 * Checks a document against the schema of one version: its failures, none when it conforms.
 * Plain functions rather than Ajv validators, so the tally can be tested without compiling schemas.
 */
export type VersionCheck = (doc: JsonObject) => readonly SchemaFailure[];

/**
 * The running counts of a verification. Pure bookkeeping: the scanning loop feeds it documents and
 * it never does I/O. It holds counters, at most `maxFailures` failing documents and at most
 * {@link maxUnknownValues} unknown version values, so its size does not grow with the collection.
 */
export interface VerifyTally {
  readonly collection: string;
  readonly versionField: string;
  readonly sample: number;
  readonly maxFailures: number;
  /** The check of each declared version, by version number. */
  readonly checks: ReadonlyMap<number, VersionCheck>;
  /** The version field split once, not once per document. */
  readonly versionPath: readonly string[];
  /** The contract's version for documents without the field; absent, they count as missing. */
  readonly assumeVersion: number | undefined;
  checked: number;
  assumedVersion: number;
  conforming: number;
  nonConforming: number;
  missingVersion: number;
  unknownVersion: number;
  otherUnknownValues: number;
  readonly unknownValues: Map<string, number>;
  readonly perVersion: Map<number, { documents: number; conforming: number }>;
  readonly failures: DocumentFailure[];
}

/** Starts a tally. `sample` is only recorded here; choosing the documents is the caller's job. */
export function createTally(input: {
  collection: string;
  versionField: string;
  checks: ReadonlyMap<number, VersionCheck>;
  assumeVersion?: number;
  sample?: number;
  maxFailures?: number;
}): VerifyTally {
  const perVersion = new Map<number, { documents: number; conforming: number }>();
  for (const version of [...input.checks.keys()].sort((a, b) => a - b))
    perVersion.set(version, { documents: 0, conforming: 0 });
  return {
    collection: input.collection,
    versionField: input.versionField,
    sample: input.sample ?? 1,
    maxFailures: input.maxFailures ?? 20,
    checks: input.checks,
    versionPath: input.versionField.split('.'),
    assumeVersion: input.assumeVersion,
    checked: 0,
    assumedVersion: 0,
    conforming: 0,
    nonConforming: 0,
    missingVersion: 0,
    unknownVersion: 0,
    otherUnknownValues: 0,
    unknownValues: new Map(),
    perVersion,
    failures: [],
  };
}

/** Counts one examined document into the tally: its version, and whether it conforms to it. */
export function tallyDocument(tally: VerifyTally, doc: JsonObject, key: DocKey | undefined): void {
  tally.checked++;
  let version = readVersion(doc, tally.versionPath);
  if (version === undefined || version === null) {
    if (tally.assumeVersion === undefined) {
      tally.missingVersion++;
      return;
    }
    tally.assumedVersion++;
    version = tally.assumeVersion;
  }
  const check = typeof version === 'number' ? tally.checks.get(version) : undefined;
  if (!check) {
    countUnknown(tally, version);
    return;
  }
  const counts = tally.perVersion.get(version as number)!;
  counts.documents++;
  const failures = check(doc);
  if (failures.length === 0) {
    counts.conforming++;
    tally.conforming++;
    return;
  }
  tally.nonConforming++;
  if (tally.failures.length < tally.maxFailures) {
    tally.failures.push({
      key: key ?? null,
      version: version as number,
      failures: failures.slice(0, maxFailuresPerDocument),
      omitted: Math.max(0, failures.length - maxFailuresPerDocument),
    });
  }
}

/** The report of a finished (or stopped) tally. */
export function reportFromTally(
  tally: VerifyTally,
  run: { scanned: number; durationMs: number },
): VerifyReport {
  const versions = [...tally.perVersion].map(([version, c]) => ({
    version,
    documents: c.documents,
    conforming: c.conforming,
    percentConforming: percent(c.conforming, c.documents),
  }));
  return {
    collection: tally.collection,
    versionField: tally.versionField,
    sample: tally.sample,
    scanned: run.scanned,
    checked: tally.checked,
    conforming: tally.conforming,
    nonConforming: tally.nonConforming,
    percentConforming: percent(tally.conforming, tally.checked),
    census: Object.fromEntries(versions.map((v) => [String(v.version), v.documents])),
    versions,
    missingVersion: tally.missingVersion,
    assumedVersion: tally.assumedVersion,
    unknownVersion: {
      count: tally.unknownVersion,
      values: Object.fromEntries(tally.unknownValues),
      otherValues: tally.otherUnknownValues,
    },
    failures: tally.failures,
    durationMs: run.durationMs,
  };
}

function readVersion(doc: JsonObject, path: readonly string[]): JsonValue | undefined {
  let current: JsonValue | undefined = doc;
  for (const step of path) {
    if (!isJsonObject(current)) return undefined;
    current = current[step];
  }
  return current;
}

function countUnknown(tally: VerifyTally, version: JsonValue): void {
  tally.unknownVersion++;
  // Cut long values (an object, a timestamp string) so one name cannot be large.
  const name = JSON.stringify(version).slice(0, 40);
  const seen = tally.unknownValues.get(name);
  if (seen !== undefined) tally.unknownValues.set(name, seen + 1);
  else if (tally.unknownValues.size < maxUnknownValues) tally.unknownValues.set(name, 1);
  else tally.otherUnknownValues++;
}

/** Rounded down, so anything short of every document never reads as 100. */
function percent(part: number, whole: number): number {
  return whole === 0 ? 100 : Math.floor((part * 10000) / whole) / 100;
}
