import type { JsonObject } from '../core/json.js';
import type { Clock } from '../ledger/clock.js';
import { systemClock } from '../ledger/clock.js';
import { closeIncidents, type Incident, listIncidents } from '../ledger/incidents.js';
import type { Ledger } from '../ledger/ledger.js';
import { type Collection, type DocKey, keyId } from '../stores/store.js';
import { isMissingSnapshot } from './compare-drift.js';
import type { ResolvedDerived } from './derived.js';
import { storedValue, valueId } from './derived-rows.js';
import { emptyRepairReport, type RepairReport, tallyOutcomes } from './repair-report.js';
import { driftIncidentKinds, incidentValueId } from './reverify-drift.js';
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
 * conditionally (see `write-derived.ts`) and closes the incident. An incident whose document (or
 * element) is gone or already correct is closed without a write; one whose document changed
 * meanwhile stays open for the next check. For a snapshot, the incidents are missing snapshots,
 * filled only when forced (with an approval); a drift incident an older check opened for a
 * snapshot's difference from its source is closed without a write, since that is not drift.
 * Resumable by rerunning: the incidents are the to-do list, and a second run finds nothing to write.
 */
export async function repairDrift(input: RepairDriftInput): Promise<RepairReport> {
  const report = emptyRepairReport(input.derived.name, 'drift repair', input.dryRun === true);
  const incidents = await input.ledger.openCollection('incidents');
  const batch: Incident[] = [];
  for await (const incident of listIncidents(incidents, { subject: input.derived.name, status: 'open' })) {
    if (!(driftIncidentKinds as readonly string[]).includes(incident.kind)) continue;
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

/** The incidents a repair works on and would write for: a snapshot's missing ones, else its drift. */
export function repairableKind(derived: ResolvedDerived): string {
  return derived.snapshot ? 'snapshot-missing' : 'drift';
}

async function repairBatch(
  input: RepairDriftInput,
  incidents: Collection,
  batch: readonly Incident[],
  report: RepairReport,
): Promise<void> {
  const { derived } = input;
  const now = new Date((input.clock ?? systemClock)()).toISOString();
  report.examined += batch.length;
  const keys = [...new Map(batch.map((i) => [keyId(i.key), i.key as DocKey])).values()];
  const docs = await input.target.getMany(keys);
  const rows = await recomputePage(derived, input.target.spec, [...docs.values()], input.source);
  const byValue = new Map(rows.map((r) => [valueId(derived, r), r]));
  const closes: { incident: Incident; resolution: JsonObject }[] = [];
  const gone = (incident: Incident, reason: string) =>
    closes.push({ incident, resolution: { action: 'gone', reason, by: 'drift repair' } });
  const pending = new Map<string, Incident>();
  for (const incident of batch) {
    const id = incidentValueId(incident);
    const row = byValue.get(id);
    if (!docs.has(keyId(incident.key as DocKey))) gone(incident, 'the document is gone');
    else if (!row) gone(incident, 'the element is gone');
    else if (incident.kind !== repairableKind(derived))
      gone(incident, 'a snapshot differs from its source by design: not drift');
    else if (
      derived.snapshot &&
      row.expected.status === 'value' &&
      !isMissingSnapshot(storedValue(derived, row), row.expected.value)
    )
      gone(incident, 'the snapshot is present');
    else pending.set(id, incident);
  }
  const selected = [...pending.keys()].map((id) => byValue.get(id)!);
  const outcomes = await writeDerived({ ...input, by: 'drift repair', now }, selected);
  tallyOutcomes(report, outcomes);
  if (input.dryRun) return;
  for (const o of outcomes) {
    const incident = pending.get(valueId(derived, o));
    if (!incident) continue;
    if (o.status === 'written')
      closes.push({ incident, resolution: { action: 'recompute', by: 'drift repair' } });
    else if (o.status === 'unchanged') gone(incident, 'the stored value already matches its source');
  }
  report.closed += await closeIncidents(incidents, closes, now);
}
