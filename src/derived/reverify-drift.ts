import { getPath } from '../core/json.js';
import type { Clock } from '../ledger/clock.js';
import { closeIncident, type Incident, listIncidents } from '../ledger/incidents.js';
import { type Collection, type DocKey, keyId } from '../stores/store.js';
import type { ResolvedDerived } from './derived.js';
import { sameValue } from './recompute.js';
import { recomputePage } from './source-values.js';

interface ReverifyInput {
  readonly derived: ResolvedDerived;
  readonly target: Collection;
  readonly source: Collection;
}

/**
 * Looks again at the open drift incidents of a derived state that the check `scanId` did not
 * record (fixed behind its back, outside its sample or segment, or whose document is gone) and
 * closes those that no longer drift, with resolution `gone`. Returns how many it closed.
 */
export async function closeResolvedIncidents(
  input: ReverifyInput,
  incidents: Collection,
  scanId: string,
  clock: Clock,
): Promise<number> {
  let closed = 0;
  let chunk: Incident[] = [];
  const flush = async () => {
    closed += await reverifyChunk(input, incidents, chunk, clock);
    chunk = [];
  };
  for await (const incident of listIncidents(incidents, {
    subject: input.derived.name,
    status: 'open',
    kind: 'drift',
  })) {
    if (incident.scanId === scanId) continue;
    chunk.push(incident);
    if (chunk.length >= 500) await flush();
  }
  if (chunk.length > 0) await flush();
  return closed;
}

/** The keys, among these incidents', whose documents still drift; the others are closed. */
async function reverifyChunk(
  input: ReverifyInput,
  incidents: Collection,
  chunk: readonly Incident[],
  clock: Clock,
): Promise<number> {
  const docs = await input.target.getMany(chunk.map((i) => i.key));
  const rows = await recomputePage(input.derived, input.target.spec, [...docs.values()], input.source);
  const drifting = new Set(
    rows
      .filter(
        (r) =>
          r.expected.status === 'value' && !sameValue(getPath(r.doc, input.derived.field), r.expected.value),
      )
      .map((r) => keyId(r.key)),
  );
  let closed = 0;
  for (const incident of chunk) {
    if (drifting.has(keyId(incident.key as DocKey))) continue;
    const reason = docs.has(keyId(incident.key as DocKey))
      ? 'the stored value matches its source'
      : 'the document is gone';
    const resolution = { action: 'gone', reason, by: 'drift check' };
    if (await closeIncident(incidents, incident, resolution, new Date(clock()).toISOString())) closed++;
  }
  return closed;
}
