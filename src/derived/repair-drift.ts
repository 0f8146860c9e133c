import type { JsonObject } from '../core/json.js';
import type { Clock } from '../ledger/clock.js';
import { systemClock } from '../ledger/clock.js';
import { closeIncident, type Incident, listIncidents } from '../ledger/incidents.js';
import type { Ledger } from '../ledger/ledger.js';
import { type Collection, keyId } from '../stores/store.js';
import type { ResolvedDerived } from './derived.js';
import { emptyRepairReport, type RepairReport, tallyOutcomes } from './repair-report.js';
import { recomputePage } from './source-values.js';
import { writeDerived } from './write-derived.js';

export interface RepairDriftInput {
  readonly derived: ResolvedDerived;
  readonly target: Collection;
  readonly source: Collection;
  readonly ledger: Ledger;
  /** Incidents per batch: one read of documents, one of sources, one bulk write, one audit record. */
  readonly batch?: number;
  readonly dryRun?: boolean;
  /** Write snapshots too; the caller has verified the approval. */
  readonly force?: boolean;
  readonly clock?: Clock;
  /** Called after each batch is written and its incidents closed (progress, tests). */
  readonly onBatch?: (report: RepairReport) => void | Promise<void>;
  /** Aborting it stops the repair after the batch in flight (`report.interrupted`). */
  readonly signal?: AbortSignal;
}

/**
 * Fixes the open drift incidents of a derived state: reads their documents, recomputes each
 * value from the source as it is now (not from the incident, which may be old), writes it
 * conditionally (see `write-derived.ts`) and closes the incident. An incident whose document is
 * gone or already correct is closed without a write; one whose document changed meanwhile stays
 * open for the next check. Resumable by rerunning: the incidents are the to-do list, and a second
 * run finds nothing to write.
 */
export async function repairDrift(input: RepairDriftInput): Promise<RepairReport> {
  const report = emptyRepairReport(input.derived.name, 'drift repair', input.dryRun === true);
  const incidents = await input.ledger.openCollection('incidents');
  const batch: Incident[] = [];
  for await (const incident of listIncidents(incidents, {
    subject: input.derived.name,
    status: 'open',
    kind: 'drift',
  })) {
    batch.push(incident);
    if (batch.length >= (input.batch ?? 200)) {
      await repairBatch(input, incidents, batch.splice(0), report);
      await input.onBatch?.(report);
      if (input.signal?.aborted) {
        report.interrupted = true;
        return report;
      }
    }
  }
  if (batch.length > 0) {
    await repairBatch(input, incidents, batch, report);
    await input.onBatch?.(report);
  }
  return report;
}

async function repairBatch(
  input: RepairDriftInput,
  incidents: Collection,
  batch: readonly Incident[],
  report: RepairReport,
): Promise<void> {
  const now = new Date((input.clock ?? systemClock)()).toISOString();
  report.examined += batch.length;
  const docs = await input.target.getMany(batch.map((i) => i.key));
  const rows = await recomputePage(input.derived, input.target.spec, [...docs.values()], input.source);
  const outcomes = await writeDerived({ ...input, by: 'drift repair', now }, rows);
  tallyOutcomes(report, outcomes);
  if (input.dryRun) return;
  const done = new Map(
    outcomes
      .filter((o) => o.status === 'written' || o.status === 'unchanged')
      .map((o) => [keyId(o.key), o.status]),
  );
  for (const incident of batch) {
    const id = keyId(incident.key);
    const status = docs.has(id) ? done.get(id) : 'gone';
    if (status === undefined) continue;
    const resolution: JsonObject =
      status === 'written'
        ? { action: 'recompute', by: 'drift repair' }
        : {
            action: 'gone',
            reason:
              status === 'gone' ? 'the document is gone' : 'the stored value already matches its source',
            by: 'drift repair',
          };
    if (await closeIncident(incidents, incident, resolution, now)) report.closed++;
  }
}
