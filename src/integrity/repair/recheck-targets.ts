import type { Incident } from '../../ledger/incidents.js';
import { type Collection, type DocKey, keyId } from '../../stores/store.js';
import { missingKeysOf } from './repair-action.js';

/**
 * Which of each orphan incident's missing targets are still missing now, read with one keys-only
 * lookup (`existingKeys`) of the batch's distinct keys in the target collection. An incident is a
 * finding of the last scan, and a target can come back after it (restored from a backup, written
 * late by its service): repairing from the incident alone would null, tombstone or delete a
 * reference that is valid again. Incidents of other kinds (a required reference that is empty)
 * name no target and are left out of the map.
 */
export async function stillMissingTargets(
  target: Collection,
  incidents: readonly Incident[],
): Promise<Map<string, DocKey[]>> {
  const orphans = incidents.filter((i) => i.kind === 'orphan');
  const keys = [...new Map(orphans.flatMap(missingKeysOf).map((k) => [keyId(k), k])).values()];
  if (keys.length === 0) return new Map();
  const present = await target.existingKeys(keys);
  return new Map(orphans.map((i) => [i.id, missingKeysOf(i).filter((k) => !present.has(keyId(k)))]));
}

/** The note of an incident whose every missing target exists again. */
export function targetBackNote(keys: readonly DocKey[]): string {
  const shown = keys.map((k) => JSON.stringify(k)).join(', ');
  return `the target${keys.length === 1 ? ' is' : 's are'} back (${shown}): nothing written`;
}
