import type { Incident } from '../../ledger/incidents.js';
import { type DocKey, isDocKey, keyId } from '../../stores/store.js';
import type { MissingTargetPolicy, ResolvedReference } from '../reference.js';

/**
 * What repair does for one incident. `report`: nothing, the incident is listed for a person.
 * Type mismatches are always only reported: the stored value names a target in the wrong type
 * (a number for a string key, a hex string for an ObjectId), so the target exists and the fix is
 * to correct the value's type at its writer; nulling, tombstoning or deleting would destroy a
 * reference that is right in all but its encoding.
 */
export type RepairAction = 'flag' | 'tombstone' | 'nullify' | 'rehydrate' | 'delete' | 'report';

/** Incident kinds a reference's onMissing policy applies to. */
export const repairableKinds: readonly string[] = ['orphan', 'missing-required'];

const actions: Record<MissingTargetPolicy, RepairAction> = {
  flag: 'flag',
  tombstone: 'tombstone',
  nullify: 'nullify',
  rehydrate: 'rehydrate',
  'delete-dependent': 'delete',
};

/** The action for one open incident of a reference. Pure. */
export function actionFor(reference: ResolvedReference, incident: Pick<Incident, 'kind'>): RepairAction {
  return repairableKinds.includes(incident.kind) ? actions[reference.onMissing] : 'report';
}

/** The target keys an incident found missing: `detail.missing`, as the scan and the guard record them. */
export function missingKeysOf(incident: Pick<Incident, 'detail'>): DocKey[] {
  const keys = incident.detail.missing;
  return Array.isArray(keys) ? keys.filter(isDocKey) : [];
}

/** True when two keys are the same key (an ObjectId never equals its hex as a string). */
export function sameKey(a: DocKey, b: DocKey): boolean {
  return keyId(a) === keyId(b);
}
