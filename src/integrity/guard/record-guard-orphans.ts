import { isJsonObject, type JsonObject } from '../../core/json.js';
import { type Finding, incidentId, recordFindings } from '../../ledger/incidents.js';
import { type Collection, isDocKey, keyId } from '../../stores/store.js';
import type { ResolvedReference } from '../reference.js';
import type { RehydrationRequest } from './rehydration-queue.js';

/**
 * Records an orphan incident for each reading document, its keys added to the incident when one
 * is open already (a scan's, which may know more missing keys; they are kept), so several keys
 * met through one document, in one batch or several, are one incident listing all of them.
 */
export async function recordGuardOrphans(
  incidents: Collection,
  reference: ResolvedReference,
  requests: readonly RehydrationRequest[],
  now: string,
): Promise<void> {
  if (requests.length === 0) return;
  const bySource = groupBy(requests, (r) => keyId(r.sourceKey));
  const ids = [...bySource.values()].map((same) => incidentId(reference.name, same[0]!.sourceKey));
  const existing = await incidents.getMany(ids);
  const findings: Finding[] = [];
  for (const same of bySource.values()) {
    const stored = existing.get(keyId(incidentId(reference.name, same[0]!.sourceKey)));
    const open = stored?.status === 'open' && isJsonObject(stored.detail) ? stored.detail : undefined;
    const known = Array.isArray(open?.missing) ? open.missing.filter(isDocKey) : [];
    const added = same.map((r) => r.key).filter((k) => !known.some((m) => keyId(m) === keyId(k)));
    if (open && added.length === 0) continue;
    // The shape the scan records, so `refs incidents` and repair read both alike.
    const detail: JsonObject = open
      ? { ...open, missing: [...known, ...added] }
      : { target: reference.target, missing: added, mismatched: [], foundBy: 'read-time guard' };
    const { collection, field } = reference;
    findings.push({
      kind: 'orphan',
      subject: reference.name,
      collection,
      key: same[0]!.sourceKey,
      field,
      detail,
    });
  }
  await recordFindings(incidents, findings, `rehydrate-${now}`, now);
}

function groupBy<T>(items: readonly T[], by: (item: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const item of items) out.set(by(item), [...(out.get(by(item)) ?? []), item]);
  return out;
}
