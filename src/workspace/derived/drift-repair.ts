import type { ResolvedConfig } from '../../config/resolved-config.js';
import type { JsonValue } from '../../core/json.js';
import type { ResolvedDerived } from '../../derived/derived.js';
import { repairDrift } from '../../derived/repair-drift.js';
import { type RepairReport, repairNeedsAttention } from '../../derived/repair-report.js';
import { listIncidents } from '../../ledger/incidents.js';
import type { Ledger } from '../../ledger/ledger.js';
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

/** A repair reports each derived state when done, and each forced snapshot its approvals do not allow. */
export type DriftRepairEvent = SnapshotRefusal | { readonly type: 'repaired'; readonly report: RepairReport };

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
 * record per batch, and closes the incident. Snapshots are left alone unless `force` with valid
 * approvals. Run it again to resume; a second run writes nothing.
 */
export function driftRepair(
  config: ResolvedConfig,
  input: DriftRepairInput = {},
  options: RunOptions<DriftRepairEvent> = {},
): Promise<DriftRepairResult> {
  const selected = selectDerived(input.derived ?? [], config);
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
      const report = await repairDrift({
        derived,
        ...run.handles(derived),
        ledger: run.ledger,
        dryRun: input.dryRun === true,
        ...(input.batch === undefined ? {} : { batch: input.batch }),
        force: force === true,
        ...(options.signal ? { signal: options.signal } : {}),
      });
      options.onProgress?.({ type: 'repaired', report });
      reports.push(report);
      if (report.interrupted) break;
    }
    const interrupted = reports.some((r) => r.interrupted === true);
    const ok = refused.length === 0 && !interrupted && !reports.some(repairNeedsAttention);
    return { ok, reports, refused, interrupted };
  });
}

/** The scope a forced repair's approval signs: the open drift incidents of the derived state. */
async function openIncidentKeys(ledger: Ledger, derived: ResolvedDerived): Promise<JsonValue> {
  const ids: string[] = [];
  for await (const i of listIncidents(await ledger.openCollection('incidents'), {
    subject: derived.name,
    status: 'open',
    kind: 'drift',
  }))
    ids.push(i.id);
  return { incidents: ids.sort() };
}
