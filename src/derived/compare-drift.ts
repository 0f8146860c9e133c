import type { ParsedFilter } from '../core/filter.js';
import type { JsonObject, JsonValue } from '../core/json.js';
import type { Clock } from '../ledger/clock.js';
import type { Ledger } from '../ledger/ledger.js';
import { scanPages } from '../stores/scan-pages.js';
import { type Collection, keyId, type Segment } from '../stores/store.js';
import type { ResolvedDerived } from './derived.js';
import { storedValue, valueId, valueLabel } from './derived-rows.js';
import {
  type DriftFinding,
  type DriftMethod,
  type DriftReport,
  maxDifferencesListed,
  maxListed,
  snapshotInfo,
} from './drift-report.js';
import { sameValue } from './recompute.js';
import { recordDrift } from './record-drift.js';
import { type AggregateMap, type Recomputed, recomputePage, type SourceStrategy } from './source-values.js';

/*
 * The comparison every drift method shares: recompute a set of derived documents, keep the
 * mismatches as suspects, read the suspects again with their source recomputed for just their
 * keys, and record what still differs as drift incidents. Methods differ only in which documents
 * they hand over (see `check-drift.ts`, `window-pass.ts`, `checkpoint-pass.ts`).
 */

/** What one drift check needs: the declaration, its derived and source collections, the ledger. */
export interface CheckDriftInput {
  readonly derived: ResolvedDerived;
  /** The derived collection (where the stored values are). */
  readonly target: Collection;
  readonly source: Collection;
  readonly ledger: Ledger;
  readonly method?: DriftMethod;
  /** Sampling: the fraction of derived keys compared, chosen by key hash. Default 0.1. */
  readonly sample?: number;
  /** Only derived documents matching this filter. */
  readonly where?: ParsedFilter;
  readonly segment?: Segment;
  /** How aggregates read their source; default `map` (see `source-values.ts`). */
  readonly strategy?: SourceStrategy;
  /** Derived documents per page. Default 500. */
  readonly batch?: number;
  /** Hash method: documents per group. Default 20,000. */
  readonly groupSize?: number;
  /** Window method: how far back source changes are rechecked; default the declaration's `windowMs`. */
  readonly windowMs?: number;
  readonly clock?: Clock;
  /** Called after each page of derived documents is compared, with the documents read so far (progress). */
  readonly onPage?: (scanned: number) => void;
  /** Aborting it stops the exact and sampling methods after the page in flight (`report.interrupted`). */
  readonly signal?: AbortSignal;
}

/** The derived documents in scope, page by page; `onPage` hears of each page once it is done with. */
export async function* derivedPages(input: CheckDriftInput): AsyncGenerator<JsonObject[]> {
  const pages = scanPages(input.target, {
    limit: input.batch ?? 500,
    ...(input.where && input.where.length > 0 ? { filter: input.where } : {}),
    ...(input.segment ? { segment: input.segment } : {}),
  });
  let scanned = 0;
  for await (const page of pages) {
    yield page.docs;
    scanned += page.docs.length;
    input.onPage?.(scanned);
  }
}

/**
 * Compares every derived document in scope (those `keep` accepts), page by page, then re-reads
 * the suspects: the exact and sampling methods, and the hash method below its threshold. Returns
 * how many documents were compared.
 */
export async function compareAll(
  input: CheckDriftInput,
  map: AggregateMap | undefined,
  report: DriftReport,
  clock: Clock,
  keep: (doc: JsonObject) => boolean = () => true,
): Promise<number> {
  const suspects: DriftFinding[] = [];
  let compared = 0;
  for await (const page of derivedPages(input)) {
    report.scanned += page.length;
    const chosen = page.filter((doc) => keep(doc));
    compared += chosen.length;
    await comparePage(input, chosen, map, report, suspects, clock);
    if (input.signal?.aborted) {
      report.interrupted = true;
      break;
    }
  }
  await recheck(input, suspects, report, clock);
  return compared;
}

/**
 * Compares one page and keeps its mismatches as suspects. Suspects are re-read in batches (see
 * {@link recheck}), so a check with scattered drift costs one source lookup per batch of
 * suspects, not one per page. `countDiffers` false: a snapshot's differences on this page were
 * counted already (the hash method's first pass).
 */
export async function comparePage(
  input: CheckDriftInput,
  docs: readonly JsonObject[],
  map: AggregateMap | undefined,
  report: DriftReport,
  suspects: DriftFinding[],
  clock: Clock,
  countDiffers = true,
): Promise<void> {
  const recomputed = await recomputePage(input.derived, input.target.spec, docs, input.source, map);
  report.checked += recomputed.length;
  suspects.push(...tally(input, recomputed, report, true, countDiffers));
  if (suspects.length >= recheckBatch) await recheck(input, suspects, report, clock);
}

/** Suspects re-read together: one getMany and one source lookup (chunked) per batch. */
export const recheckBatch = 1000;

/**
 * A second look at suspects, with the documents and the source read fresh for just these keys
 * (never from the map): what still differs is drift and becomes incidents; the rest were live
 * writes. Empties `suspects`.
 */
export async function recheck(
  input: CheckDriftInput,
  suspects: DriftFinding[],
  report: DriftReport,
  clock: Clock,
): Promise<void> {
  if (suspects.length === 0) return;
  const { derived } = input;
  const taken = suspects.splice(0);
  const wanted = new Set(taken.map((s) => valueId(derived, s)));
  const keys = [...new Map(taken.map((s) => [keyId(s.key), s.key])).values()];
  const again = await input.target.getMany(keys);
  const reread = await recomputePage(derived, input.target.spec, [...again.values()], input.source);
  const confirmed = tally(
    input,
    reread.filter((r) => wanted.has(valueId(derived, r))),
    report,
    false,
    false,
  );
  report.cleared += taken.length - confirmed.length;
  await recordDrift(input, confirmed, report, clock);
}

/**
 * Counts orphans and failures (only on the first look) and returns the suspects: values that
 * differ from their source, or for a snapshot, values missing where the source gives one. A
 * snapshot that merely differs from the current source is counted as information
 * (`countDiffers`), never a suspect.
 */
export function tally(
  input: CheckDriftInput,
  rows: readonly Recomputed[],
  report: DriftReport,
  first: boolean,
  countDiffers = first,
): DriftFinding[] {
  const { derived } = input;
  const out: DriftFinding[] = [];
  for (const row of rows) {
    const { key, expected } = row;
    if (expected.status === 'orphan') {
      if (first) report.orphans++;
      continue;
    }
    if (expected.status === 'unlinked') {
      if (first) report.unlinked++;
      continue;
    }
    if (expected.status === 'failed') {
      if (first) {
        report.failed++;
        if (report.failures.length < maxListed)
          report.failures.push({ key, reason: failureReason(input, row) });
      }
      continue;
    }
    const actual = storedValue(derived, row) ?? null;
    const finding: DriftFinding = {
      key,
      field: derived.field,
      ...(row.element ? { element: row.element } : {}),
      expected: expected.value,
      actual,
    };
    if (!derived.snapshot) {
      if (!sameValue(actual, expected.value)) out.push(finding);
    } else if (isMissingSnapshot(actual, expected.value)) out.push({ ...finding, kind: 'missing-snapshot' });
    else if (countDiffers && !sameValue(actual, expected.value)) noteSnapshotDifference(report, finding);
  }
  return out;
}

/** A snapshot is missing when it holds nothing (absent or null) while its source gives a value. */
export function isMissingSnapshot(stored: JsonValue | undefined, expected: JsonValue): boolean {
  return (stored === undefined || stored === null) && expected !== null;
}

/** Counts a snapshot's difference from its source, listing the first few. */
export function noteSnapshotDifference(report: DriftReport, finding: DriftFinding): void {
  const info = snapshotInfo(report);
  info.differsFromSource++;
  if (info.differences.length < maxDifferencesListed) info.differences.push(finding);
}

function failureReason(input: CheckDriftInput, row: Recomputed): string {
  const reason = row.expected.status === 'failed' ? row.expected.reason : '';
  return row.element ? `${valueLabel(input.derived, row)}: ${reason}` : reason;
}
