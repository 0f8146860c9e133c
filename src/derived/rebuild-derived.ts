import type { ParsedFilter } from '../core/filter.js';
import { sha256 } from '../core/hash.js';
import { canonicalJson, type JsonObject } from '../core/json.js';
import { StewardError } from '../errors/steward-error.js';
import { type Clock, systemClock } from '../ledger/clock.js';
import { closeIncidents, type Incident, incidentId } from '../ledger/incidents.js';
import type { Ledger } from '../ledger/ledger.js';
import { scanPages } from '../stores/scan-pages.js';
import type { Collection, DocKey, Segment } from '../stores/store.js';
import { checkpointedPages, type DerivedJobOptions, type JobCounters } from './checkpointed-pages.js';
import type { ResolvedDerived } from './derived.js';
import { elementId } from './derived-rows.js';
import { isFoldable } from './recompute.js';
import { emptyRepairReport, type RepairReport, tallyOutcomes } from './repair-report.js';
import { type AggregateMap, buildAggregateMap, recomputePage } from './source-values.js';
import { writeDerived } from './write-derived.js';

/** Which derived documents a rebuild recomputes: some keys, a filtered range, or all. */
export type RebuildScope =
  | { readonly ids: readonly DocKey[] }
  | { readonly where: ParsedFilter }
  | { readonly all: true };

export interface RebuildInput extends Omit<DerivedJobOptions, 'ledger'> {
  readonly derived: ResolvedDerived;
  readonly target: Collection;
  readonly source: Collection;
  readonly ledger: Ledger;
  readonly scope: RebuildScope;
  readonly batch?: number;
  readonly dryRun?: boolean;
  readonly force?: boolean;
  /** Also stamp documents computed by an older projection version (see `WriteDerivedInput.restamp`). */
  readonly restamp?: boolean;
  readonly clock?: Clock;
  /** Called after each batch is written and before its checkpoint is saved (progress, tests). */
  readonly onBatch?: (report: RepairReport) => void | Promise<void>;
  /** `backfill` also writes fields that are missing, and is recorded as such. Default `rebuild`. */
  readonly by?: 'rebuild' | 'backfill';
  /** Read an aggregate's source once into a per-key map even for a `where` scope (backfill does). */
  readonly useMap?: boolean;
  /**
   * Only segment i of N of the derived collection (a `where` or `all` scope): N workers, each with
   * its own segment, lease and checkpoint, rebuild it together.
   */
  readonly segment?: Segment;
}

/**
 * Recomputes a derived state for one entity, a range or everything (seed 001 section 18) and
 * writes what differs, with the same safety as `drift repair` (conditional writes, before-images,
 * projection metadata, audit per batch). Open drift incidents of the rewritten documents are
 * closed. `--where` and `--all` save a checkpoint in the ledger after every batch (see
 * `checkpointed-pages.ts`): a run killed at any point, even with `kill -9`, resumes after the last
 * batch it finished. Idempotent: a batch done twice writes only what is still wrong, which is nothing.
 * `--all` over an aggregate reads the source once into a per-key map (see `source-values.ts`).
 */
export async function rebuildDerived(input: RebuildInput): Promise<RepairReport> {
  checkRebuildScope(input.scope);
  const report = emptyRepairReport(input.derived.name, input.by ?? 'rebuild', input.dryRun === true);
  const map =
    ('all' in input.scope || input.useMap === true) &&
    input.derived.source.link.by === 'key' &&
    isFoldable(input.derived.transform)
      ? await buildAggregateMap(input.derived, input.source)
      : undefined;
  if ('ids' in input.scope) {
    const found = await input.target.getMany(input.scope.ids);
    await rebuildPage(input, [...found.values()], map, report);
    return report;
  }
  const filter = 'where' in input.scope ? input.scope.where : [];
  const scan = {
    limit: input.batch ?? 500,
    ...(filter.length > 0 ? { filter } : {}),
    ...(input.segment ? { segment: input.segment } : {}),
  };
  const onPage = async (docs: JsonObject[]) => {
    await rebuildPage(input, docs, map, report);
    await input.onBatch?.(report);
  };
  if (input.dryRun) {
    for await (const page of scanPages(input.target, scan)) await onPage(page.docs);
    return report;
  }
  const job = rebuildJobName(input.by ?? 'rebuild', input.derived, filter, input.segment);
  const { resumedAt } = await checkpointedPages(
    input,
    job,
    input.target,
    scan,
    reportCounters(report),
    onPage,
  );
  report.resumedAt = resumedAt;
  return report;
}

/**
 * Refuses a `where` scope without a condition (`{}`, `null`, `{"$and": []}`): it matches every
 * document, so it would rebuild everything while the caller meant a range. Everything is asked for
 * with `{ all: true }` (`--all`), which also reads an aggregate's source once.
 */
export function checkRebuildScope(scope: RebuildScope, option = 'the where scope'): void {
  if ('where' in scope && scope.where.length === 0)
    throw new StewardError(
      'usage',
      `${option} has no condition, so it matches every document; to rebuild everything say --all (scope { all: true })`,
    );
}

/**
 * The ledger job (lease and checkpoint) of a rebuild-like run: one per derived state, projection
 * version, filter and segment, so a rerun of the same command resumes and a different range (or
 * segment) starts its own.
 */
export function rebuildJobName(
  action: string,
  derived: ResolvedDerived,
  filter: ParsedFilter,
  segment?: Segment,
): string {
  const job = `${action}:${derived.name}:v${derived.version}:${sha256(canonicalJson(filter as never)).slice(0, 12)}`;
  return segment ? `${job}:${segment.index}/${segment.total}` : job;
}

/** The report's counters, saved with each checkpoint and restored on resume. */
export function reportCounters(report: RepairReport): JobCounters {
  const names = ['examined', 'written', 'unchanged', 'skipped', 'failed', 'closed'] as const;
  return {
    read: () => Object.fromEntries(names.map((n) => [n, report[n]])),
    restore: (saved) => {
      for (const n of names) {
        const value = saved[n];
        if (typeof value === 'number') report[n] = value;
      }
    },
  };
}

async function rebuildPage(
  input: RebuildInput,
  docs: Parameters<typeof recomputePage>[2],
  map: AggregateMap | undefined,
  report: RepairReport,
): Promise<void> {
  const now = new Date((input.clock ?? systemClock)()).toISOString();
  report.examined += docs.length;
  const rows = await recomputePage(input.derived, input.target.spec, docs, input.source, map);
  const outcomes = await writeDerived({ ...input, by: input.by ?? 'rebuild', now }, rows);
  tallyOutcomes(report, outcomes);
  if (input.dryRun) return;
  const fixed = outcomes.filter((o) => o.status === 'written' || o.status === 'unchanged');
  if (fixed.length === 0) return;
  const { derived } = input;
  const incidents = await input.ledger.openCollection('incidents');
  const ids = fixed.map((o) => incidentId(derived.name, o.key, elementId(derived, o.element)));
  const open = await incidents.getMany(ids);
  const resolution = { action: 'recompute', by: input.by ?? 'rebuild' };
  const closes = [...open.values()]
    .map((doc) => ({ ...(doc as unknown as Incident), id: doc[incidents.spec.keyField] as string }))
    .filter((incident) => incident.status === 'open')
    .map((incident) => ({ incident, resolution }));
  report.closed += await closeIncidents(incidents, closes, now);
}
