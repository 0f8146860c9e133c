import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { ParsedFilter } from '../core/filter.js';
import { keyFraction } from '../core/hash.js';
import { getPath, type JsonObject } from '../core/json.js';
import { type Clock, systemClock } from '../ledger/clock.js';
import { type Finding, recordFindings } from '../ledger/incidents.js';
import type { Ledger } from '../ledger/ledger.js';
import { scanPages } from '../stores/scan-pages.js';
import { type Collection, keyId, type Segment } from '../stores/store.js';
import type { ResolvedDerived } from './derived.js';
import {
  type DriftFinding,
  type DriftMethod,
  type DriftReport,
  emptyReport,
  maxListed,
} from './drift-report.js';
import { GroupHashes, groupCount } from './hash-groups.js';
import { sameValue } from './recompute.js';
import { closeResolvedIncidents } from './reverify-drift.js';
import {
  type AggregateMap,
  buildAggregateMap,
  type Recomputed,
  recomputePage,
  type SourceStrategy,
} from './source-values.js';

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
  readonly clock?: Clock;
}

/**
 * Recomputes derived state from its source and compares it with what is stored, page by page of
 * the derived collection. Every mismatch is read again (document and source) before it counts, so
 * a write made while the check runs is not reported as drift; what is still wrong becomes a drift
 * incident (subject: the derived name), and open incidents of the derived state this check did not
 * confirm are checked once more and closed when they no longer drift.
 *
 * `exact` compares every document; `sampling` a deterministic fraction by key hash; `hash` first
 * compares per-group hashes of (key, stored) and (key, expected) and then compares one by one only
 * the documents of groups whose hashes differ (see `hash-groups.ts`).
 */
export async function checkDrift(input: CheckDriftInput): Promise<DriftReport> {
  const started = performance.now();
  const clock = input.clock ?? systemClock;
  const method = input.method ?? 'exact';
  const report = emptyReport(
    input.derived.name,
    method,
    `drift-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`,
  );
  await input.ledger.store.ensureCollection(input.ledger.namespace.incidents);
  const map = await aggregateMapFor(input);
  if (method === 'hash') await hashPasses(input, map, report, clock);
  else {
    const keep = method === 'sampling' ? sampler(input) : () => true;
    const suspects: DriftFinding[] = [];
    for await (const page of derivedPages(input)) {
      report.scanned += page.length;
      const chosen = page.filter((doc) => keep(doc));
      await comparePage(input, chosen, map, report, suspects, clock);
    }
    await recheck(input, suspects, report, clock);
  }
  const incidents = input.ledger.store.collection(input.ledger.namespace.incidents);
  report.incidents.closed = await closeResolvedIncidents(input, incidents, report.scanId, clock);
  report.elapsedMs = performance.now() - started;
  await input.ledger.audit.append({
    action: 'derived.drift-check',
    subject: input.derived.name,
    details: {
      scanId: report.scanId,
      method,
      checked: report.checked,
      drift: report.drift,
      orphans: report.orphans,
      failed: report.failed,
      opened: report.incidents.opened,
      closed: report.incidents.closed,
    },
  });
  return report;
}

async function aggregateMapFor(input: CheckDriftInput): Promise<AggregateMap | undefined> {
  const { derived } = input;
  if (derived.source.link.by !== 'key' || (input.strategy ?? 'map') !== 'map') return undefined;
  if (derived.transform.type === 'function' || derived.transform.type === 'copy') return undefined;
  return buildAggregateMap(derived, input.source);
}

async function* derivedPages(input: CheckDriftInput): AsyncGenerator<JsonObject[]> {
  const pages = scanPages(input.target, {
    limit: input.batch ?? 500,
    ...(input.where && input.where.length > 0 ? { filter: input.where } : {}),
    ...(input.segment ? { segment: input.segment } : {}),
  });
  for await (const page of pages) yield page.docs;
}

function sampler(input: CheckDriftInput): (doc: JsonObject) => boolean {
  const sample = input.sample ?? 0.1;
  const keyField = input.target.spec.keyField;
  return (doc) => {
    const key = doc[keyField];
    return key !== undefined && keyFraction(keyId(key as never), input.derived.name) < sample;
  };
}

/**
 * Compares one page and keeps its mismatches as suspects. Suspects are re-read in batches (see
 * {@link recheck}), so a check with scattered drift costs one source lookup per batch of
 * suspects, not one per page.
 */
async function comparePage(
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
const recheckBatch = 1000;

/**
 * A second look at suspects, with the documents and the source read fresh for just these keys
 * (never from the map): what still differs is drift and becomes incidents; the rest were live
 * writes. Empties `suspects`.
 */
async function recheck(
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
function tally(
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

async function recordDrift(
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
  const incidents = input.ledger.store.collection(input.ledger.namespace.incidents);
  const outcome = await recordFindings(incidents, findings, report.scanId, new Date(clock()).toISOString());
  report.incidents.opened += outcome.opened;
  report.incidents.updated += outcome.updated;
}

/**
 * The hash method: a first pass hashes (key, stored) and (key, expected) per group without
 * comparing documents; a second pass compares one by one only documents of differing groups.
 * The second pass reads the derived collection again (a store cannot filter by key hash), but
 * recomputes and compares only the documents of differing groups: `fetched` counts those.
 */
async function hashPasses(
  input: CheckDriftInput,
  map: AggregateMap | undefined,
  report: DriftReport,
  clock: Clock,
): Promise<void> {
  const count = await input.target.count({ ...(input.where ? { filter: input.where } : {}), estimate: true });
  const hashes = new GroupHashes(groupCount(count, input.groupSize ?? 20_000));
  for await (const page of derivedPages(input)) {
    report.scanned += page.length;
    const recomputed = await recomputePage(input.derived, input.target.spec, page, input.source, map);
    for (const { key, doc, expected } of recomputed) {
      if (expected.status !== 'value') continue; // orphans and failures are counted in pass two
      hashes.add(key, getPath(doc, input.derived.field) ?? null, expected.value);
    }
  }
  const differing = hashes.differing();
  report.hash = { groups: hashes.groups, differing: differing.size, fetched: 0 };
  const keyField = input.target.spec.keyField;
  const suspects: DriftFinding[] = [];
  for await (const page of derivedPages(input)) {
    const chosen = page.filter((doc) => {
      const key = doc[keyField];
      return key !== undefined && differing.has(hashes.groupOf(key as never));
    });
    report.hash.fetched += chosen.length;
    await comparePage(input, chosen, map, report, suspects, clock);
  }
  await recheck(input, suspects, report, clock);
}
