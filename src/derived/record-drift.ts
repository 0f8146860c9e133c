import { canonicalJson } from '../core/json.js';
import type { Clock } from '../ledger/clock.js';
import { type Finding, type Incident, incidentId, recordFindings } from '../ledger/incidents.js';
import type { Ledger } from '../ledger/ledger.js';
import { keyId } from '../stores/store.js';
import type { ResolvedDerived } from './derived.js';
import { elementId } from './derived-rows.js';
import { type DriftFinding, type DriftReport, listFinding, snapshotInfo } from './drift-report.js';

/**
 * How recent the last sighting of an open incident must be for a check that finds it unchanged to
 * leave it as it is. Rewriting every open incident on every check is what made rechecks slower
 * than first checks: on FerretDB's SQLite backend each update reads the whole incidents collection
 * (1,500 unchanged incidents took about two and a half minutes to record again; inserting them,
 * half a second). So a drift incident's `lastSeenAt` is exact to this interval.
 */
export const sightingIntervalMs = 3_600_000;

/**
 * Records confirmed findings as incidents: drift as `drift`, a missing snapshot as
 * `snapshot-missing`, one per value (per element inside arrays). An incident already open and
 * unchanged is left as it is (see {@link sightingIntervalMs}): a recheck of unchanged drift costs
 * one lookup, not a write per incident. Their ids are kept for the check's end, which closes the
 * open incidents it did not confirm (see `reverify-drift.ts`).
 */
export async function recordDrift(
  input: { readonly derived: ResolvedDerived; readonly ledger: Ledger },
  confirmed: DriftFinding[],
  report: DriftReport,
  clock: Clock,
): Promise<void> {
  if (confirmed.length === 0) return;
  const { derived } = input;
  const missing = confirmed.filter((f) => f.kind === 'missing-snapshot').length;
  report.drift += confirmed.length - missing;
  if (derived.snapshot) snapshotInfo(report).missing += missing;
  for (const f of confirmed) listFinding(report, f);
  const findings: Finding[] = confirmed.map((f) => {
    const element = elementId(derived, f.element);
    return {
      kind: f.kind === 'missing-snapshot' ? 'snapshot-missing' : 'drift',
      subject: derived.name,
      collection: derived.collection,
      key: f.key,
      field: f.field,
      ...(element === undefined ? {} : { element }),
      detail: {
        expected: f.expected,
        actual: f.actual,
        snapshot: derived.snapshot,
        ...(f.element ? { element: { ...f.element } } : {}),
      },
    };
  });
  const seen = confirmedIncidents(report);
  for (const f of findings) seen.add(incidentId(f.subject, f.key, f.element));
  const incidents = input.ledger.collection('incidents');
  const now = new Date(clock()).toISOString();
  const stored = await incidents.getMany(findings.map((f) => incidentId(f.subject, f.key, f.element)));
  const changed = findings.filter((f) => {
    const incident = stored.get(keyId(incidentId(f.subject, f.key, f.element))) as unknown as
      | Incident
      | undefined;
    return !incident || !unchanged(incident, f, now);
  });
  const outcome = await recordFindings(incidents, changed, report.scanId, now);
  report.incidents.opened += outcome.opened;
  report.incidents.updated += outcome.updated + findings.length - changed.length;
}

/**
 * An incident open with the same kind and values, seen within {@link sightingIntervalMs}: recording
 * it again would only move its `lastSeenAt`. The check keeps its id (`confirmedIncidents`), so
 * its end does not read it again either.
 */
function unchanged(incident: Incident, finding: Finding, now: string): boolean {
  const last = Date.parse(incident.lastSeenAt);
  return (
    incident.status === 'open' &&
    incident.kind === finding.kind &&
    canonicalJson(incident.detail) === canonicalJson(finding.detail) &&
    Number.isFinite(last) &&
    Date.parse(now) - last < sightingIntervalMs
  );
}

/**
 * The ids of the incidents a check recorded, by report: its end leaves them open without reading
 * them again. Kept beside the report rather than in it, so the report stays plain JSON.
 */
export function confirmedIncidents(report: DriftReport): Set<string> {
  let ids = confirmed.get(report);
  if (!ids) {
    ids = new Set();
    confirmed.set(report, ids);
  }
  return ids;
}

const confirmed = new WeakMap<DriftReport, Set<string>>();
