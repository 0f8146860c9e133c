import { performance } from 'node:perf_hooks';
import { keyFraction } from '../../core/hash.js';
import { type JsonObject, setField } from '../../core/json.js';
import { StewardError } from '../../errors/steward-error.js';
import { scanPages } from '../../stores/scan-pages.js';
import { type Collection, type DocKey, docKey, keyId, type Segment } from '../../stores/store.js';
import type { JsonSchema } from '../compatibility/schema-change.js';
import type { Contract } from '../contract.js';
import { type SchemaRegistry, schemaFailures } from '../schema-registry.js';
import { createTally, reportFromTally, tallyDocument, type VersionCheck } from './tally-document.js';
import type { VerifyReport } from './verify-report.js';

/** How {@link verifyCollection} reads. */
export interface VerifyOptions {
  /**
   * Examine only this fraction of the documents (0 < f <= 1), chosen by key: a document is in
   * the sample when `keyFraction(keyId(key))` is below `f`, so every run examines the same
   * documents. The whole collection is still read; sampling saves validation, not I/O.
   */
  readonly sample?: number;
  /** Failing documents listed in the report (the rest are counted). Default 20. */
  readonly maxFailures?: number;
  /** Verify only this segment, so N workers cover the collection exactly once. */
  readonly segment?: Segment;
  /** Documents per page read from the store. Default 1000. */
  readonly pageSize?: number;
  /** Called after each page with the number of documents read so far. */
  onProgress?(scanned: number): void;
  /**
   * Top-level fields left out before a document is checked: steward's own projection metadata
   * (`_projection`, see `derived/projection-metadata.ts`), which a contract need not declare.
   */
  readonly ignoreFields?: readonly string[];
}

const none: readonly never[] = [];

/**
 * Checks the documents stored in a collection against its contract: each document is validated
 * with the schema of the version it carries in the contract's version field. Reads page by page
 * and keeps only counters and the first failures, so memory stays flat at any size. Documents
 * without a version, or with one the contract does not declare, are counted apart, never
 * validated against a guess; those without a version are checked as the contract's `assumeVersion`
 * when it declares one. Throws only for bad options (`input.invalid`) and store failures.
 */
export async function verifyCollection(
  collection: Collection,
  contract: Contract,
  registry: SchemaRegistry,
  options: VerifyOptions = {},
): Promise<VerifyReport> {
  const sample = options.sample ?? 1;
  assertOptions(sample, options.maxFailures);
  const tally = createTally({
    collection: contract.collection,
    versionField: contract.versionField,
    checks: versionChecks(contract, registry),
    ...(contract.assumeVersion === undefined ? {} : { assumeVersion: contract.assumeVersion }),
    sample,
    ...(options.maxFailures === undefined ? {} : { maxFailures: options.maxFailures }),
  });
  const ignored = options.ignoreFields ?? [];
  const started = performance.now();
  let scanned = 0;
  const scan = { limit: options.pageSize ?? 1000, ...(options.segment ? { segment: options.segment } : {}) };
  // Pages rather than scanDocuments: the documents of a page are walked in a plain loop, without
  // an await per document.
  for await (const page of scanPages(collection, scan)) {
    for (const doc of page.docs) {
      const key = docKey(doc, collection.spec);
      if (sample < 1 && !inSample(key, sample)) continue;
      tallyDocument(tally, ignored.length > 0 ? without(doc, ignored) : doc, key);
    }
    scanned += page.docs.length;
    options.onProgress?.(scanned);
  }
  return reportFromTally(tally, { scanned, durationMs: Math.round(performance.now() - started) });
}

/** A shallow copy of a document without some top-level fields (the document itself when it has none). */
function without(doc: JsonObject, fields: readonly string[]): JsonObject {
  if (!fields.some((f) => Object.hasOwn(doc, f))) return doc;
  const copy: JsonObject = {};
  for (const [field, value] of Object.entries(doc)) if (!fields.includes(field)) setField(copy, field, value);
  return copy;
}

/** One compiled check per declared version, compiled once for the whole scan. */
export function versionChecks(contract: Contract, registry: SchemaRegistry): Map<number, VersionCheck> {
  const checks = new Map<number, VersionCheck>();
  for (const v of contract.versions) {
    const validate = registry.validator(v.schema as JsonSchema, `${contract.file}: version ${v.version}`);
    checks.set(v.version, (doc) => (validate(doc) ? none : schemaFailures(validate.errors)));
  }
  return checks;
}

/**
 * Whether a document is in the sample. A document without a valid key is always examined: it is
 * already suspect, and a sample by key cannot place it.
 */
function inSample(key: DocKey | undefined, fraction: number): boolean {
  return key === undefined || keyFraction(keyId(key)) < fraction;
}

function assertOptions(sample: number, maxFailures: number | undefined): void {
  if (!(sample > 0 && sample <= 1)) {
    throw new StewardError(
      'input.invalid',
      `the sample must be a fraction above 0 and at most 1 (got ${sample})`,
      {
        sample,
      },
    );
  }
  if (maxFailures !== undefined && !(Number.isInteger(maxFailures) && maxFailures >= 0)) {
    throw new StewardError('input.invalid', `maxFailures must be a whole number (got ${maxFailures})`, {
      maxFailures,
    });
  }
}
