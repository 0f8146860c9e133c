import type { ParsedFilter } from '../core/filter.js';
import { getPath, type JsonObject } from '../core/json.js';
import type { Clock } from '../ledger/clock.js';
import { type Finding, recordFindings } from '../ledger/incidents.js';
import type { Ledger } from '../ledger/ledger.js';
import { scanPages } from '../stores/scan-pages.js';
import type { Collection, Segment } from '../stores/store.js';
import type { ResolvedDerived } from './derived.js';
import { type DriftFinding, type DriftMethod, type DriftReport, maxListed } from './drift-report.js';
import { sameValue } from './recompute.js';
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
  /** Aborting it stops the exact and sampling methods after the page in flight (`report.interrupted`). */
  readonly signal?: AbortSignal;
}

export async function* derivedPages(input: CheckDriftInput): AsyncGenerator<JsonObject[]> {
  const pages = scanPages(input.target, {
    limit: input.batch ?? 500,
    ...(input.where && input.where.length > 0 ? { filter: input.where } : {}),
    ...(input.segment ? { segment: input.segment } : {}),
  });
  for await (const page of pages) yield page.docs;
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
 * suspects, not one per page.
 */
export async function comparePage(
  input: CheckDriftInput,
  docs: readonly JsonObject[],
  map: AggregateMap | undefined,
  report: DriftReport,
  suspects: DriftFinding[],
  clock: Clock,
): Promise<void> {
  const recomputed = await recomputePage(input.derived, input.target.spec, docs, input.source, map);
  report.checked += recomputed.length;
  suspects.push(...tally(input, recomputed, report, true));
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
  const keys = suspects.splice(0).map((s) => s.key);
  const again = await input.target.getMany(keys);
  const reread = await recomputePage(input.derived, input.target.spec, [...again.values()], input.source);
  const confirmed = tally(input, reread, report, false);
  report.cleared += keys.length - confirmed.length;
  await recordDrift(input, confirmed, report, clock);
}

/** Counts orphans and failures (only on the final look) and returns the mismatches. */
export function tally(
  input: CheckDriftInput,
  rows: readonly Recomputed[],
  report: DriftReport,
  first: boolean,
): DriftFinding[] {
  const field = input.derived.field;
  const out: DriftFinding[] = [];
  for (const { key, doc, expected } of rows) {
    if (expected.status === 'orphan') {
      if (first) report.orphans++;
      continue;
    }
    if (expected.status === 'failed') {
      if (first) {
        report.failed++;
        if (report.failures.length < maxListed) report.failures.push({ key, reason: expected.reason });
      }
      continue;
    }
    const actual = getPath(doc, field) ?? null;
    if (!sameValue(actual, expected.value)) out.push({ key, field, expected: expected.value, actual });
  }
  return out;
}

export async function recordDrift(
  input: CheckDriftInput,
  confirmed: DriftFinding[],
  report: DriftReport,
  clock: Clock,
): Promise<void> {
  if (confirmed.length === 0) return;
  report.drift += confirmed.length;
  for (const f of confirmed) if (report.findings.length < maxListed) report.findings.push(f);
  const findings: Finding[] = confirmed.map((f) => ({
    kind: 'drift',
    subject: input.derived.name,
    collection: input.derived.collection,
    key: f.key,
    field: f.field,
    detail: { expected: f.expected, actual: f.actual, snapshot: input.derived.snapshot },
  }));
  const incidents = input.ledger.collection('incidents');
  const outcome = await recordFindings(incidents, findings, report.scanId, new Date(clock()).toISOString());
  report.incidents.opened += outcome.opened;
  report.incidents.updated += outcome.updated;
}
