import { getPath, type JsonObject, type JsonValue } from '../../core/json.js';
import type { Incident } from '../../ledger/incidents.js';
import { type DocKey, isDocKey, type WriteOp } from '../../stores/store.js';
import type { ResolvedReference } from '../reference.js';
import { readReference } from '../reference-keys.js';
import { targetBackNote } from './recheck-targets.js';
import { missingKeysOf, sameKey } from './repair-action.js';
import type { Change } from './repair-result.js';

/** The repair actions that change the source document. */
export type DocumentAction = 'tombstone' | 'nullify' | 'delete';

/**
 * What to do to one source document, decided from the document as read just now:
 * - `write`: the op to apply, the change it makes, and whether the op's
 *   expectation makes it atomic against concurrent writers (see {@link planWrite});
 * - `applied`: the document already is as the action leaves it (an earlier run wrote, then
 *   stopped before closing the incident), so only the closing is left;
 * - `stale`: the reference no longer holds what the incident says; the next scan decides;
 * - `gone`: the document no longer exists;
 * - `back`: every target the incident found missing exists again, so there is nothing to repair;
 * - `unfit`: the action cannot express the fix, and `note` says what to do instead.
 */
export type WriteDecision =
  | {
      readonly kind: 'write';
      readonly op: WriteOp;
      readonly change: Change;
      readonly atomic: boolean;
    }
  | { readonly kind: 'applied' | 'stale' | 'gone' | 'back' | 'unfit'; readonly note: string };

/**
 * Where a tombstone goes: `_steward.tombstones.<field>` with the field's dots made `__`, so the
 * mark sits in one namespace steward owns, never next to the application's fields, and one
 * document can carry a tombstone per reference.
 */
export function tombstonePath(field: string): string {
  return `_steward.tombstones.${field.replace(/\./g, '__')}`;
}

/**
 * {@link planWrite} with what the target holds now: `stillMissing` are the incident's missing keys
 * that a lookup just now did not find (undefined for an incident that names no target). Only
 * those are repaired; when none is left the decision is `back`, unless the document shows that an
 * earlier run already repaired it (`applied`) or is gone. Pure.
 */
export function planWriteNow(
  reference: ResolvedReference,
  incident: Incident,
  action: DocumentAction,
  doc: JsonObject | undefined,
  stillMissing: readonly DocKey[] | undefined,
  now: string,
): WriteDecision {
  if (stillMissing === undefined) return planWrite(reference, incident, action, doc, now);
  if (stillMissing.length > 0) {
    const narrowed = { ...incident, detail: { ...incident.detail, missing: [...stillMissing] } };
    return planWrite(reference, narrowed, action, doc, now);
  }
  const asStored = planWrite(reference, incident, action, doc, now);
  if (asStored.kind === 'applied' || asStored.kind === 'gone') return asStored;
  return { kind: 'back', note: targetBackNote(missingKeysOf(incident)) };
}

/**
 * Decides the write for one incident and one document. Pure. Every write is conditional on the
 * reference still holding the missing key (a scalar reference: `expect` on the field; a
 * required-but-empty one: `expect` null), so a document changed since the scan is left alone
 * and a second run after a crash finds its own earlier write and does not repeat it.
 *
 * An array reference cannot be expected: the store seam compares scalars only. Its write is
 * computed from the document as just read, and a writer changing the array between that read and
 * the write can lose its change (`atomic: false`); the window is one round trip.
 */
export function planWrite(
  reference: ResolvedReference,
  incident: Incident,
  action: DocumentAction,
  doc: JsonObject | undefined,
  now: string,
): WriteDecision {
  if (!doc) return { kind: 'gone', note: 'the document no longer exists' };
  const field = reference.field;
  const value = getPath(doc, field);
  if (value === undefined && readReference(doc, field).kind === 'keys') {
    return {
      kind: 'unfit',
      note: `"${field}" runs through an array of objects; repair those elements by hand`,
    };
  }
  if (incident.kind === 'missing-required') return planEmpty(reference, incident, action, doc, value, now);
  const missing = missingKeysOf(incident);
  if (missing.length === 0) return { kind: 'unfit', note: 'the incident names no missing keys; rescan' };
  if (Array.isArray(value)) return planArray(reference, incident, action, doc, value, missing, now);
  return planScalar(reference, incident, action, doc, value, missing, now);
}

function planScalar(
  reference: ResolvedReference,
  incident: Incident,
  action: DocumentAction,
  doc: JsonObject,
  value: JsonValue | undefined,
  missing: readonly DocKey[],
  now: string,
): WriteDecision {
  const field = reference.field;
  const key = isDocKey(value) && missing.some((k) => sameKey(k, value)) ? value : undefined;
  if (action === 'tombstone' && hasTombstone(doc, field, incident.id))
    return { kind: 'applied', note: 'the tombstone is already there' };
  if (action === 'nullify' && value === null)
    return { kind: 'applied', note: 'the reference is already null' };
  if (key === undefined) return stale(value);
  const expect = typeof key === 'object' ? undefined : { field, value: key };
  const atomic = expect !== undefined;
  const base = { type: 'patch' as const, key: incident.key, ...(expect ? { expect } : {}) };
  if (action === 'delete') return deleteDecision(incident, field, value, expect);
  if (action === 'nullify')
    return {
      kind: 'write',
      op: { ...base, set: { [field]: null } },
      change: { type: 'set', path: field, before: key, after: null },
      atomic,
    };
  return tombstoneDecision(base, doc, reference, incident, [key], now, atomic);
}

function planArray(
  reference: ResolvedReference,
  incident: Incident,
  action: DocumentAction,
  doc: JsonObject,
  value: JsonValue[],
  missing: readonly DocKey[],
  now: string,
): WriteDecision {
  const field = reference.field;
  const isMissing = (e: JsonValue) => isDocKey(e) && missing.some((k) => sameKey(k, e));
  const present = value.filter(isMissing) as DocKey[];
  if (action === 'tombstone' && hasTombstone(doc, field, incident.id))
    return { kind: 'applied', note: 'the tombstone is already there' };
  if (present.length === 0) {
    if (action === 'nullify')
      return { kind: 'applied', note: 'none of the missing keys is left in the array' };
    return stale(value);
  }
  const base = { type: 'patch' as const, key: incident.key };
  if (action === 'delete') return deleteDecision(incident, field, value, undefined);
  if (action === 'nullify') {
    const kept = value.filter((e) => !isMissing(e));
    return {
      kind: 'write',
      op: { ...base, set: { [field]: kept } },
      change: { type: 'set', path: field, before: value, after: kept },
      atomic: false,
    };
  }
  return tombstoneDecision(base, doc, reference, incident, present, now, false);
}

/** A required reference that is null, absent or an empty array. */
function planEmpty(
  reference: ResolvedReference,
  incident: Incident,
  action: DocumentAction,
  doc: JsonObject,
  value: JsonValue | undefined,
  now: string,
): WriteDecision {
  const field = reference.field;
  if (action === 'nullify')
    return {
      kind: 'unfit',
      note: 'the required reference is already empty: nullify cannot fix it; fix the writer or choose another policy',
    };
  if (action === 'tombstone' && hasTombstone(doc, field, incident.id))
    return { kind: 'applied', note: 'the tombstone is already there' };
  if (readReference(doc, field).kind === 'keys') return stale(value);
  // An empty array cannot be expected; null and absent can (null also matches absent).
  const expect = Array.isArray(value) ? undefined : { field, value: null };
  if (action === 'delete') return deleteDecision(incident, field, value ?? null, expect);
  const base = { type: 'patch' as const, key: incident.key, ...(expect ? { expect } : {}) };
  return tombstoneDecision(base, doc, reference, incident, [], now, expect !== undefined);
}

function deleteDecision(
  incident: Incident,
  field: string,
  value: JsonValue | undefined,
  expect: { field: string; value: string | number | null } | undefined,
): WriteDecision {
  const op: WriteOp = { type: 'delete', key: incident.key, ...(expect ? { expect } : {}) };
  const change: Change = { type: 'delete', path: field, before: value ?? null };
  return { kind: 'write', op, change, atomic: expect !== undefined };
}

function tombstoneDecision(
  base: WriteOp & { type: 'patch' },
  doc: JsonObject,
  reference: ResolvedReference,
  incident: Incident,
  missingKeys: readonly DocKey[],
  now: string,
  atomic: boolean,
): WriteDecision {
  const path = tombstonePath(reference.field);
  const mark: JsonObject = {
    missingKeys: [...missingKeys],
    incident: incident.id,
    kind: incident.kind,
    at: now,
  };
  const before = getPath(doc, path) ?? null;
  return {
    kind: 'write',
    op: { ...base, set: { [path]: mark } },
    change: { type: 'set', path, before, after: mark },
    atomic,
  };
}

function hasTombstone(doc: JsonObject, field: string, incidentId: string): boolean {
  return getPath(doc, `${tombstonePath(field)}.incident`) === incidentId;
}

function stale(value: JsonValue | undefined): WriteDecision {
  return {
    kind: 'stale',
    note: `the reference changed since the scan (now ${JSON.stringify(value ?? null)}); left open for the next scan`,
  };
}
