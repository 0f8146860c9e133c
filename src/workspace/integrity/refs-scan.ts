import { randomBytes } from 'node:crypto';
import type { ResolvedConfig } from '../../config/resolved-config.js';
import type { ResolvedReference } from '../../integrity/reference.js';
import { revalidateStale, type StaleReport } from '../../integrity/scan/revalidate-stale.js';
import type { ScanEvent } from '../../integrity/scan/scan-input.js';
import { scanReference } from '../../integrity/scan/scan-reference.js';
import { problemCount, type ReferenceScanReport } from '../../integrity/scan/scan-report.js';
import type { SignalWarning } from '../../signals/signals.js';
import type { Segment } from '../../stores/store.js';
import { checkDeclarations } from '../contracts/check-declarations.js';
import { estimatedTotal, type ProgressTick, progressTick } from '../progress-tick.js';
import { actorOf, type RunOptions } from '../run-options.js';
import { checkReferences } from './check-references.js';
import { selectReferences } from './select-references.js';
import { type IntegrityWorkspace, withIntegrity } from './with-integrity.js';

/** What to scan and how. */
export interface RefsScanInput {
  /** Names of declared references (`profiles.accountId`); default every declared one. */
  readonly references?: readonly string[];
  /** Only recheck open incidents older than each reference's `revalidateAfter`, instead of scanning. */
  readonly staleOnly?: boolean;
  /** Only this segment of each source, so N workers split it. */
  readonly segment?: Segment;
  /** Source documents per batch and lookup. Default 1000. */
  readonly batch?: number;
  /** At most this many source documents per second. Default: no limit. */
  readonly rate?: number;
  /** Ignore a checkpoint left by an interrupted scan and start over. */
  readonly restart?: boolean;
  /** How long a killed scan keeps its segment locked. Default 60 s. */
  readonly leaseTtlMs?: number;
}

/**
 * What a scan reports as it goes: the scan's own events, a progress tick per batch (the total is
 * the store's estimate of the source, or of its segment), then each reference's report when done,
 * or when the signal stopped it (`interrupted`, checkpointed: the same call resumes).
 */
export type RefsScanEvent =
  | ScanEvent
  | ProgressTick
  | { readonly type: 'scanned'; readonly report: ReferenceScanReport }
  | { readonly type: 'interrupted'; readonly report: ReferenceScanReport }
  | { readonly type: 'rechecked'; readonly report: StaleReport };

/** What `refsScan` found: a report per reference, and the signal sinks that did not take its events. */
export interface RefsScanResult {
  /**
   * No orphan, type mismatch or missing required reference (with `staleOnly`: none still open),
   * and not interrupted.
   */
  readonly ok: boolean;
  /** The signal stopped the scan after the batch in flight, checkpointed; later references were not scanned. */
  readonly interrupted?: true;
  readonly references: (ReferenceScanReport | StaleReport)[];
  readonly warnings: SignalWarning[];
}

/**
 * Scans the source collection of each reference in batches, looking up each batch's distinct
 * target keys with one read in the target's own store; orphans, type mismatches and missing
 * required references become incidents. Checkpointed about once a second and leased per
 * (reference, segment): run it again to resume after a crash. Aborting `signal` stops it after the
 * batch in flight (a rate-limit wait ends at once), checkpointed. With `staleOnly`, rechecks the
 * open incidents not seen for `revalidateAfter` instead. A reference the config and a contract
 * declare differently is a `config.invalid` error before anything is read. Every selected reference is checked
 * before any is scanned (its source and target collections exist): a broken one stops the scan
 * before it starts, with `collection.not-found` naming it, and nothing written.
 */
export async function refsScan(
  config: ResolvedConfig,
  input: RefsScanInput = {},
  options: RunOptions<RefsScanEvent> = {},
): Promise<RefsScanResult> {
  const references = selectReferences(input.references ?? [], config);
  await checkDeclarations(config);
  const actor = actorOf(options);
  const scanOne = input.staleOnly ? recheck : scan;
  return await withIntegrity(
    config,
    references,
    actor,
    async (run) => {
      await checkReferences(run, references);
      const holder = `${actor}#${process.pid}-${randomBytes(3).toString('hex')}`;
      const results: ScanResult[] = [];
      for (const reference of references) {
        results.push(await scanOne({ run, holder, input, options }, reference));
        if (results.at(-1)?.interrupted) break;
      }
      const problems = results.reduce((n, r) => n + r.problems, 0);
      const warnings = await run.signals.flush();
      const interrupted = results.some((r) => r.interrupted);
      return {
        ok: problems === 0 && !interrupted,
        ...(interrupted ? { interrupted: true as const } : {}),
        references: results.map((r) => r.report),
        warnings,
      };
    },
    { rehydrateFrom: false, metrics: options.metrics },
  );
}

/** One reference's outcome. */
interface ScanResult {
  readonly report: ReferenceScanReport | StaleReport;
  readonly problems: number;
  readonly interrupted?: boolean;
}

/** One scan job: its workspace, lease holder, input and options. */
interface ScanJob {
  readonly run: IntegrityWorkspace;
  readonly holder: string;
  readonly input: RefsScanInput;
  readonly options: RunOptions<RefsScanEvent>;
}

async function scan(
  { run, holder, input, options }: ScanJob,
  reference: ResolvedReference,
): Promise<ScanResult> {
  const source = run.collection(reference.collection);
  const total = options.onProgress ? await estimatedTotal(source, input.segment) : undefined;
  const report = await scanReference({
    reference,
    source,
    target: run.collection(reference.target),
    ledger: run.ledger,
    holder,
    ...scanSettings(input),
    waitForLease: true,
    ...(options.signal ? { signal: options.signal } : {}),
    onEvent: (event) => {
      options.onProgress?.(event);
      if (event.type === 'started')
        options.onProgress?.(progressTick(reference.name, event.resumedAt ?? 0, total));
      if (event.type === 'batch') options.onProgress?.(progressTick(reference.name, event.scanned, total));
    },
  });
  if (report.interrupted) {
    options.onProgress?.({ type: 'interrupted', report });
    return { report, problems: problemCount(report), interrupted: true };
  }
  const { opened, updated, stillOpen } = report.incidents;
  run.signals.orphansFound(reference.name, report.orphans);
  run.signals.openIncidents(reference.name, opened + updated + stillOpen);
  run.signals.scanned(reference.name, report.orphans, report.durationMs);
  options.onProgress?.({ type: 'scanned', report });
  return { report, problems: problemCount(report) };
}

async function recheck({ run, options }: ScanJob, reference: ResolvedReference): Promise<ScanResult> {
  const report = await revalidateStale({
    reference,
    source: run.collection(reference.collection),
    target: run.collection(reference.target),
    ledger: run.ledger,
  });
  options.onProgress?.({ type: 'rechecked', report });
  return { report, problems: report.stillOpen };
}

function scanSettings(input: RefsScanInput) {
  return {
    ...(input.batch === undefined ? {} : { batch: input.batch }),
    restart: input.restart === true,
    ...(input.leaseTtlMs === undefined ? {} : { leaseTtlMs: input.leaseTtlMs }),
    ...(input.rate === undefined ? {} : { rate: input.rate }),
    ...(input.segment ? { segment: input.segment } : {}),
  };
}
