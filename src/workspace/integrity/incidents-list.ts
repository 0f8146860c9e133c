import type { ResolvedConfig } from '../../config/resolved-config.js';
import { matchesFilter, type ParsedFilter } from '../../core/filter.js';
import type { JsonObject } from '../../core/json.js';
import { StewardError } from '../../errors/steward-error.js';
import { type Incident, type IncidentStatus, listIncidents } from '../../ledger/incidents.js';
import { actorOf, type RunOptions } from '../run-options.js';
import { withWorkspace } from '../workspace.js';

/** Which incidents to list, and which page of them. */
export interface IncidentsListInput {
  /** Only incidents of references (orphans) or of derived states (drift); default both. */
  readonly of?: 'reference' | 'derived';
  /** Only those of this reference or derived state, which the config must declare. */
  readonly subject?: string;
  readonly status?: IncidentStatus;
  /** Only incidents first seen at least this long ago (ms). */
  readonly minAgeMs?: number;
  /** Only incidents first seen at most this long ago (ms). */
  readonly maxAgeMs?: number;
  /** A filter over the incidents' own fields, from `parseFilter` (the portable filter language). */
  readonly where?: ParsedFilter;
  readonly offset?: number;
  readonly limit?: number;
}

/** One page of incidents, oldest first, with the total that matched. */
export interface IncidentsPage {
  readonly total: number;
  readonly offset: number;
  readonly limit: number;
  readonly incidents: Incident[];
}

/**
 * The incidents reference scans (orphans) and drift checks (drift) recorded, filtered and paged:
 * by kind of subject, subject, status, age and a portable filter. Reads the ledger only.
 */
export function incidentsList(
  config: ResolvedConfig,
  input: IncidentsListInput = {},
  options: RunOptions = {},
): Promise<IncidentsPage> {
  const subjects = subjectsOf(config, input);
  const offset = input.offset ?? 0;
  const limit = input.limit ?? 50;
  const now = Date.now();
  return withWorkspace(config, {}, actorOf(options), async ({ ledger }) => {
    const collection = await ledger.openCollection('incidents');
    const found: Incident[] = [];
    for await (const incident of listIncidents(collection, input.status ? { status: input.status } : {}))
      if (subjects.has(incident.subject) && keeps(incident, input, now)) found.push(incident);
    found.sort((a, b) => a.firstSeenAt.localeCompare(b.firstSeenAt) || a.id.localeCompare(b.id));
    return { total: found.length, offset, limit, incidents: found.slice(offset, offset + limit) };
  });
}

function keeps(incident: Incident, input: IncidentsListInput, now: number): boolean {
  const age = now - Date.parse(incident.firstSeenAt);
  if (input.minAgeMs !== undefined && age < input.minAgeMs) return false;
  if (input.maxAgeMs !== undefined && age > input.maxAgeMs) return false;
  return input.where ? matchesFilter(incident as unknown as JsonObject, input.where) : true;
}

/** The subjects asked for: declared references and/or derived states; an undeclared one is refused. */
function subjectsOf(config: ResolvedConfig, input: IncidentsListInput): Set<string> {
  const references = input.of === 'derived' ? [] : [...config.references.keys()];
  const derived = input.of === 'reference' ? [] : [...config.derived.keys()];
  const all = new Set([...references, ...derived]);
  if (input.subject === undefined) return all;
  if (!all.has(input.subject))
    throw new StewardError(
      'input.invalid',
      `"${input.subject}" is not a declared ${input.of === 'derived' ? 'derived state' : input.of === 'reference' ? 'reference' : 'reference or derived state'}`,
      { field: 'subject' },
    );
  return new Set([input.subject]);
}
