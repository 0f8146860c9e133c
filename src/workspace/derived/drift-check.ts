import type { ResolvedConfig } from '../../config/resolved-config.js';
import type { ParsedFilter } from '../../core/filter.js';
import { checkDrift, driftFound } from '../../derived/check-drift.js';
import { type ResolvedDerived, sourceVersionField } from '../../derived/derived.js';
import type { DriftMethod, DriftReport } from '../../derived/drift-report.js';
import type { SourceStrategy } from '../../derived/source-values.js';
import { StewardError } from '../../errors/steward-error.js';
import { recordDriftCheck } from '../../signals/derived-metrics.js';
import { stewardMetrics } from '../../signals/steward-metrics.js';
import type { Collection, Segment } from '../../stores/store.js';
import { estimatedTotal, type ProgressTick, progressTick } from '../progress-tick.js';
import { actorOf, type RunOptions, throwIfAborted } from '../run-options.js';
import { selectDerived } from './select-derived.js';
import { withDerived } from './with-derived.js';

/** What to check and how. */
export interface DriftCheckInput {
  /** Names of declared derived states; default every declared one. */
  readonly derived?: readonly string[];
  /** Default `exact`: every document. */
  readonly method?: DriftMethod;
  /** With `sampling`: the fraction of documents compared, 0 < f <= 1. Default 0.1. */
  readonly sample?: number;
  /** With `window`: how far back source changes are rechecked; default the declaration's window. */
  readonly windowMs?: number;
  /** Only derived documents matching this filter. */
  readonly where?: ParsedFilter;
  /** Only this segment of each derived collection. */
  readonly segment?: Segment;
  /** How aggregates read their source: `map` (one scan, default) or `per-page`. */
  readonly strategy?: SourceStrategy;
  /** Derived documents per page. Default 500. */
  readonly batch?: number;
  /** With `hash`: documents per group. Default 20,000. */
  readonly groupSize?: number;
}

/**
 * A drift check reports its progress through each derived state (derived documents read, of the
 * store's estimate when every document is read: not with a filter or the window method), and each derived
 * state's report as soon as it is checked.
 */
export type DriftCheckEvent = ProgressTick | { readonly type: 'checked'; readonly report: DriftReport };

/** What `driftCheck` found: `ok` when no derived state drifted and no snapshot is missing. */
export interface DriftCheckResult {
  readonly ok: boolean;
  /** Drifted documents, over every derived state checked. */
  readonly drift: number;
  /** Snapshots missing where their source gives a value (a snapshot's differences are not drift). */
  readonly missingSnapshots: number;
  readonly reports: DriftReport[];
  /** The signal stopped the check after a page; the last report says where, later states were not checked. */
  readonly interrupted: boolean;
}

/**
 * Recomputes each derived state from its source, page by page, and records what differs as drift
 * incidents (read again before it counts, so a write made meanwhile is not reported); incidents
 * that no longer drift are closed. A snapshot's differences from its source are reported apart
 * (`report.snapshot`), never as drift; a snapshot missing where its source gives a value is a
 * finding. The window and checkpoint methods need what they read declared
 * (`source.changedAt`, `source.version`): a usage error naming the setting otherwise.
 */
export function driftCheck(
  config: ResolvedConfig,
  input: DriftCheckInput = {},
  options: RunOptions<DriftCheckEvent> = {},
): Promise<DriftCheckResult> {
  const selected = selectDerived(input.derived ?? [], config);
  const { derived: _names, windowMs: _windowMs, ...settings } = input;
  const metrics = options.metrics ?? stewardMetrics();
  return withDerived(config, selected, actorOf(options), async (run) => {
    const reports: DriftReport[] = [];
    for (const derived of selected) {
      throwIfAborted(options.signal, `checking ${derived.name}`);
      const handles = run.handles(derived);
      const onPage = await pageTicks(derived.name, handles.target, input, options);
      const report = await checkDrift({
        derived,
        ...handles,
        ledger: run.ledger,
        ...settings,
        ...methodOptions(input, derived),
        ...(onPage ? { onPage } : {}),
        ...(options.signal ? { signal: options.signal } : {}),
      });
      recordDriftCheck(metrics, report);
      options.onProgress?.({ type: 'checked', report });
      reports.push(report);
      if (report.interrupted) break;
    }
    const drift = reports.reduce((n, r) => n + r.drift, 0);
    const missingSnapshots = reports.reduce((n, r) => n + (r.snapshot?.missing ?? 0), 0);
    const interrupted = reports.some((r) => r.interrupted);
    return { ok: !reports.some(driftFound) && !interrupted, drift, missingSnapshots, reports, interrupted };
  });
}

/**
 * The progress of one derived state, when anyone listens: documents read of the derived
 * collection's estimated count (no total with a filter, which the estimate does not know).
 */
async function pageTicks(
  name: string,
  target: Collection,
  input: DriftCheckInput,
  options: RunOptions<DriftCheckEvent>,
): Promise<((scanned: number) => void) | undefined> {
  const listener = options.onProgress;
  if (!listener) return undefined;
  // A filter, or the window method's filter by changed source keys: the estimate would overstate.
  const filtered = (input.where !== undefined && input.where.length > 0) || input.method === 'window';
  const total = filtered ? undefined : await estimatedTotal(target, input.segment);
  listener(progressTick(name, 0, total));
  return (scanned) => listener(progressTick(name, scanned, total));
}

/**
 * What the window and checkpoint methods need of each declaration, checked before it is read: a
 * usage error naming the derived state and the missing setting.
 */
function methodOptions(input: DriftCheckInput, derived: ResolvedDerived): { windowMs?: number } {
  const method = input.method ?? 'exact';
  const where = `derived.${derived.name}.source`;
  if (method === 'checkpoint' && !sourceVersionField(derived.source))
    throw new StewardError(
      'usage',
      `--method checkpoint needs ${where}.version (a version number raised on every change) or ${where}.changedAt (the last-change time, used as the version); ${derived.name} declares neither`,
      { derived: derived.name },
    );
  if (method !== 'window') return {};
  if (!derived.source.changedAt)
    throw new StewardError(
      'usage',
      `--method window needs ${where}.changedAt: the field of "${derived.source.collection}" holding when each document last changed (ISO 8601), such as "updatedAt"; ${derived.name} declares none`,
      { derived: derived.name },
    );
  if (input.windowMs !== undefined) return { windowMs: input.windowMs };
  if (derived.windowMs !== undefined) return {};
  throw new StewardError(
    'usage',
    `--method window needs a window for ${derived.name}: --window 7d, or declare validation: { method: 'window', days: 7 }`,
    { derived: derived.name },
  );
}
