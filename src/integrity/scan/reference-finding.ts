import type { JsonObject } from '../../core/json.js';
import type { Finding } from '../../ledger/incidents.js';
import type { DocKey } from '../../stores/store.js';
import type { ResolvedReference } from '../reference.js';
import type { Mismatch, Verdict } from './classify-reference.js';

/**
 * The incident finding for a document's verdict, or undefined when the reference is fine (or
 * null or absent and not required). The kind is the verdict's outcome (`orphan`, `type-mismatch`,
 * `missing-required`); the detail says what was found, so a reader of the incident needs no rescan.
 */
export function referenceFinding(
  reference: Pick<ResolvedReference, 'name' | 'collection' | 'field' | 'target'>,
  key: DocKey,
  verdict: Verdict,
): Finding | undefined {
  const where = { subject: reference.name, collection: reference.collection, key, field: reference.field };
  const target = reference.target;
  switch (verdict.outcome) {
    case 'ok':
    case 'null':
    case 'absent':
      return undefined;
    case 'missing-required':
      return { ...where, kind: 'missing-required', detail: { target, found: verdict.found } };
    case 'type-mismatch':
      return {
        ...where,
        kind: 'type-mismatch',
        detail: { target, mismatched: verdict.mismatched.map(mismatchJson) },
      };
    case 'orphan':
      return {
        ...where,
        kind: 'orphan',
        detail: { target, missing: [...verdict.missing], mismatched: verdict.mismatched.map(mismatchJson) },
      };
  }
}

function mismatchJson(m: Mismatch): JsonObject {
  return m.matches === undefined
    ? { value: m.value, reason: m.reason }
    : { value: m.value, reason: m.reason, matches: m.matches };
}
