import type { Incident } from '../../ledger/incidents.js';
import type { Collection } from '../../stores/store.js';

/**
 * Leaves a note on an open incident (`repairNote`, `repairNoteAt`) for the person who will look
 * at it: why repair could not close it. Conditional on the incident's revision like every
 * incident update; a scan that changed it meanwhile wins, and the next repair run notes again.
 */
export async function noteOnIncident(
  incidents: Collection,
  incident: Incident,
  note: string,
  now: string,
): Promise<void> {
  await incidents.write([
    {
      type: 'patch',
      key: incident.id,
      set: { repairNote: note, repairNoteAt: now, revision: incident.revision + 1 },
      expect: { field: 'revision', value: incident.revision },
    },
  ]);
}
