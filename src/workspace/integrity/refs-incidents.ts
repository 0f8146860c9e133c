import type { ResolvedConfig } from '../../config/resolved-config.js';
import { type Incident, type IncidentStatus, listIncidents } from '../../ledger/incidents.js';
import { actorOf, type RunOptions } from '../run-options.js';
import { withWorkspace } from '../workspace.js';
import { selectReferences } from './select-references.js';

/** Which incidents to list. */
export interface RefsIncidentsInput {
  /** Only those of this declared reference; default every declared reference. */
  readonly reference?: string;
  readonly status?: IncidentStatus;
}

/** The incidents reference scans recorded, as stored in the ledger, reference by reference. */
export function refsIncidents(
  config: ResolvedConfig,
  input: RefsIncidentsInput = {},
  options: RunOptions = {},
): Promise<Incident[]> {
  const { reference, status } = input;
  if (reference !== undefined) selectReferences([reference], config);
  const subjects = reference !== undefined ? [reference] : [...config.references.keys()];
  return withWorkspace(config, {}, actorOf(options), async ({ ledger }) => {
    const incidents = await ledger.openCollection('incidents');
    const found: Incident[] = [];
    for (const subject of subjects)
      for await (const incident of listIncidents(incidents, { subject, ...(status ? { status } : {}) }))
        found.push(incident);
    return found;
  });
}
