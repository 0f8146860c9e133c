import type { JsonObject } from '../core/json.js';
import type { Clock } from '../ledger/clock.js';
import { closeIncidents, type Incident, listIncidents } from '../ledger/incidents.js';
import { type Collection, type DocKey, keyId } from '../stores/store.js';
import { isMissingSnapshot } from './compare-drift.js';
import type { ResolvedDerived } from './derived.js';
import { storedValue, valueId } from './derived-rows.js';
import { sameValue } from './recompute.js';
import { type Recomputed, recomputePage } from './source-values.js';

interface ReverifyInput {
  readonly derived: ResolvedDerived;
  readonly target: Collection;
  readonly source: Collection;
}

/** The incident kinds a drift check opens: a drifted value, and a snapshot missing where its source gives one. */
export const driftIncidentKinds = ['drift', 'snapshot-missing'] as const;

/** One of {@link driftIncidentKinds}. */
export type DriftIncidentKind = (typeof driftIncidentKinds)[number];

/**
 * Looks again at the open incidents of a derived state that this check did not record (`seen`:
 * fixed behind its back, outside its sample or segment, or whose document or element is gone) and
 * closes those that are no longer a problem, with resolution `gone`, in bulk. A snapshot's drift
 * incidents, which older checks opened for its differences from the source, are closed: a
 * snapshot differs by design. Returns how many it closed.
 */
export async function closeResolvedIncidents(
  input: ReverifyInput,
  incidents: Collection,
  seen: ReadonlySet<string>,
  clock: Clock,
): Promise<number> {
  let closed = 0;
  let chunk: Incident[] = [];
  const flush = async () => {
    closed += await reverifyChunk(input, incidents, chunk, clock);
    chunk = [];
  };
  for await (const incident of listIncidents(incidents, { subject: input.derived.name, status: 'open' })) {
    if (seen.has(incident.id) || !(driftIncidentKinds as readonly string[]).includes(incident.kind)) continue;
    chunk.push(incident);
    if (chunk.length >= 500) await flush();
  }
  if (chunk.length > 0) await flush();
  return closed;
}

/** Closes, among these incidents, those whose value is no longer a problem of their kind. */
async function reverifyChunk(
  input: ReverifyInput,
  incidents: Collection,
  chunk: readonly Incident[],
  clock: Clock,
): Promise<number> {
  const { derived } = input;
  const keys = [...new Map(chunk.map((i) => [keyId(i.key), i.key as DocKey])).values()];
  const docs = await input.target.getMany(keys);
  const rows = await recomputePage(derived, input.target.spec, [...docs.values()], input.source);
  const problems = new Set(rows.flatMap((r) => problemOf(derived, r)));
  const closes: { incident: Incident; resolution: JsonObject }[] = [];
  for (const incident of chunk) {
    const id = incidentValueId(incident);
    if (problems.has(`${incident.kind}\u0000${id}`)) continue;
    const reason =
      incident.kind === 'drift' && derived.snapshot
        ? 'a snapshot differs from its source by design: not drift'
        : !docs.has(keyId(incident.key as DocKey))
          ? 'the document is gone'
          : incident.element !== undefined && !rows.some((r) => valueId(derived, r) === id)
            ? 'the element is gone'
            : incident.kind === 'snapshot-missing'
              ? 'the snapshot is present'
              : 'the stored value matches its source';
    closes.push({ incident, resolution: { action: 'gone', reason, by: 'drift check' } });
  }
  return closeIncidents(incidents, closes, new Date(clock()).toISOString());
}

/** The incident kind a value is a problem of now, with its value id; none when it is fine. */
function problemOf(derived: ResolvedDerived, row: Recomputed): string[] {
  if (row.expected.status !== 'value') return [];
  const stored = storedValue(derived, row);
  const id = valueId(derived, row);
  if (derived.snapshot)
    return isMissingSnapshot(stored, row.expected.value) ? [`snapshot-missing\u0000${id}`] : [];
  return sameValue(stored, row.expected.value) ? [] : [`drift\u0000${id}`];
}

/** The value id of an incident's value, as {@link valueId} gives it for a recomputed row. */
export function incidentValueId(incident: Pick<Incident, 'key' | 'element'>): string {
  const key = keyId(incident.key as DocKey);
  return incident.element === undefined ? key : `${key}\u0000${incident.element}`;
}
