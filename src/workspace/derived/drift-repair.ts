import type { ResolvedConfig } from '../../config/resolved-config.js';
import type { JsonValue } from '../../core/json.js';
import type { ResolvedDerived } from '../../derived/derived.js';
import { repairableKind, repairDrift } from '../../derived/repair-drift.js';
import { type RepairReport, repairNeedsAttention } from '../../derived/repair-report.js';
import { countIncidents, listIncidents } from '../../ledger/incidents.js';
import type { Ledger } from '../../ledger/ledger.js';
import { recordDriftRepair } from '../../signals/derived-metrics.js';
import { stewardMetrics } from '../../signals/steward-metrics.js';
import { type ProgressTick, progressTick } from '../progress-tick.js';
import { actorOf, type RunOptions, throwIfAborted } from '../run-options.js';
import { selectDerived } from './select-derived.js';
import { forceAllowed, type SnapshotRefusal } from './snapshot-force.js';
import { withDerived } from './with-derived.js';

/** Which derived states to repair, and how. */
export interface DriftRepairInput {
  /** Names of declared derived states; default every declared one. */
  readonly derived?: readonly string[];
  /** Say what would change; write nothing. */
  readonly dryRun?: boolean;
  /** Incidents per batch. Default 200. */
  readonly batch?: number;
  /** Also refresh snapshots; needs approvals of the subject a refusal names. */
  readonly force?: boolean;
}

/**
 * A repair reports its progress through each derived state (incidents handled of those open when
 * it began), each derived state when done, and each forced snapshot its approvals do not allow.
 */
export type DriftRepairEvent =
  | ProgressTick
  | SnapshotRefusal
  | { readonly type: 'repaired'; readonly report: RepairReport };

/** What `driftRepair` did. */
export interface DriftRepairResult {
  /** Nothing refused, skipped or failed. */
  readonly ok: boolean;
  readonly reports: RepairReport[];
  /** Snapshots `force` could not refresh for want of approvals (they were repaired as without it). */
  readonly refused: SnapshotRefusal[];
  /** The signal stopped the repair after a batch; rerun to go on with the incidents left open. */
  readonly interrupted: boolean;
}

/**
 * Fixes open drift incidents: recomputes each value from the source as it is now and writes it only
 * if the stored value is still what was read, with a before-image, projection metadata, an audit
 * record per batch, and closes the incident. A snapshot's incidents are missing snapshots, filled
 * only with `force` and valid approvals. Run it again to resume; a second run writes nothing.
 */
export function driftRepair(
  config: ResolvedConfig,
  input: DriftRepairInput = {},
  options: RunOptions<DriftRepairEvent> = {},
): Promise<DriftRepairResult> {
  const selected = selectDerived(input.derived ?? [], config);
  const metrics = options.metrics ?? stewardMetrics();
  return withDerived(config, selected, actorOf(options), async (run) => {
    const reports: RepairReport[] = [];
    const refused: SnapshotRefusal[] = [];
    for (const derived of selected) {
      throwIfAborted(options.signal, `repairing ${derived.name}`);
      const force = await forceAllowed(input.force, config, run.ledger, derived, 'drift repair', () =>
        openIncidentKeys(run.ledger, derived),
      );
      if (typeof force === 'object') {
        refused.push(force);
        options.onProgress?.(force);
      }
      const onBatch = await batchTicks(run.ledger, derived, options);
      const report = await repairDrift({
        derived,
        ...run.handles(derived),
        ledger: run.ledger,
        ...(onBatch ? { onBatch } : {}),
        dryRun: input.dryRun === true,
        ...(input.batch === undefined ? {} : { batch: input.batch }),
        force: force === true,
        ...(options.signal ? { signal: options.signal } : {}),
      });
      recordDriftRepair(metrics, report);
      options.onProgress?.({ type: 'repaired', report });
      reports.push(report);
      if (report.interrupted) break;
    }
    const interrupted = reports.some((r) => r.interrupted === true);
    const ok = refused.length === 0 && !interrupted && !reports.some(repairNeedsAttention);
    return { ok, reports, refused, interrupted };
  });
}

/** Progress of one derived state's repair, when anyone listens: incidents examined of those open. */
async function batchTicks(
  ledger: Ledger,
  derived: ResolvedDerived,
  options: RunOptions<DriftRepairEvent>,
): Promise<((report: RepairReport) => void) | undefined> {
  const listener = options.onProgress;
  if (!listener) return undefined;
  const incidents = await ledger.openCollection('incidents');
  const total = await countIncidents(incidents, {
    subject: derived.name,
    status: 'open',
    kind: repairableKind(derived),
  });
  listener(progressTick(derived.name, 0, total, false));
  return (report) => listener(progressTick(derived.name, report.examined, total, false));
}

/** The scope a forced repair's approval signs: the open incidents a repair of the derived state works (a snapshot's: missing snapshots). */
async function openIncidentKeys(ledger: Ledger, derived: ResolvedDerived): Promise<JsonValue> {
  const ids: string[] = [];
  for await (const i of listIncidents(await ledger.openCollection('incidents'), {
    subject: derived.name,
    status: 'open',
    kind: repairableKind(derived),
  }))
    ids.push(i.id);
  return { incidents: ids.sort() };
}
