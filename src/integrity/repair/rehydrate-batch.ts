import type { JsonObject } from '../../core/json.js';
import type { Incident } from '../../ledger/incidents.js';
import { type DocKey, keyId } from '../../stores/store.js';
import { beforeImageId, saveBeforeImages } from './before-images.js';
import { type FinishedRepair, finishRepairs } from './finish-repairs.js';
import { noteOnIncident } from './incident-note.js';
import { targetBackNote } from './recheck-targets.js';
import { insertRehydrated, lookUpRehydration, type RehydrationLookup } from './rehydrate-keys.js';
import { missingKeysOf } from './repair-action.js';
import type { RunScope } from './repair-batch.js';
import { nowIso, type RepairContext, type RepairOptions } from './repair-context.js';
import type { RepairItem } from './repair-result.js';

/**
 * Repairs a batch of incidents of a `rehydrate` reference: copies each missing target document
 * from `rehydrateFrom` (same key) into the target collection. The source documents are not
 * touched; inserts never overwrite. An incident whose keys are all back is closed; one with a key
 * the source of truth does not have either stays open, with a note on the incident saying which.
 * One whose targets are all back already (the lookup reads the target first) is closed as `back`,
 * with nothing written.
 */
export async function repairRehydrateBatch(
  ctx: RepairContext,
  scope: RunScope,
  batch: readonly Incident[],
  options: RepairOptions,
): Promise<RepairItem[]> {
  const { reference, incidents, run } = scope;
  const now = nowIso(ctx);
  const from = ctx.collection(reference.rehydrateFrom!);
  const target = ctx.collection(reference.target);
  const keysOf = new Map(batch.map((i) => [i.id, missingKeysOf(i)]));
  const lookup = await lookUpRehydration(from, target, distinct([...keysOf.values()].flat()));
  const items: RepairItem[] = [];
  const copying: Incident[] = [];
  const back: FinishedRepair[] = [];
  for (const incident of batch) {
    const keys = keysOf.get(incident.id)!;
    const unavailable = keys.filter((k) => !lookup.present.has(keyId(k)) && !lookup.available.has(keyId(k)));
    const item = base(incident);
    if (keys.length === 0)
      items.push({ ...item, status: 'skipped', note: 'no target key to rehydrate: the reference is empty' });
    else if (keys.every((k) => lookup.present.has(keyId(k)))) {
      const note = targetBackNote(keys);
      if (options.dryRun) items.push({ ...item, status: 'back', note: `${note}; would close the incident` });
      else back.push(finishedBack(ctx, scope, incident, note, now));
    } else if (unavailable.length > 0) {
      const note = `not in "${reference.rehydrateFrom}" either: ${unavailable.map((k) => JSON.stringify(k)).join(', ')}; left open`;
      items.push({ ...item, status: 'skipped', note });
      if (!options.dryRun) await noteOnIncident(incidents, incident, note, now);
    } else if (options.dryRun)
      items.push({ ...item, status: 'planned', change: { type: 'insert', keys: toCopy(keys, lookup) } });
    else copying.push(incident);
  }
  if (options.dryRun) return items;
  items.push(...(await finishRepairs(ctx, incidents, back, now)));
  if (copying.length === 0) return items;

  await saveBeforeImages(
    await ctx.ledger.openCollection('backups'),
    copying.map((incident) => {
      const inserts = toCopy(keysOf.get(incident.id)!, lookup);
      return {
        repairRun: run,
        incident: incident.id,
        action: 'rehydrate',
        reference: reference.name,
        collection: reference.target,
        key: incident.key,
        doc: null,
        change: { type: 'insert' as const, keys: inserts },
        inserted: inserts.map((k) => lookup.available.get(keyId(k)) as JsonObject),
        savedAt: now,
      };
    }),
  );
  const inserted = await insertRehydrated(target, lookup);
  const finished: FinishedRepair[] = [];
  for (const incident of copying) {
    const keys = keysOf.get(incident.id)!;
    const failed = keys.flatMap((k) => inserted.failed.get(keyId(k)) ?? []);
    if (failed.length > 0) {
      items.push({ ...base(incident), status: 'failed', note: failed.join('; ') });
      continue;
    }
    finished.push(finishedRehydration(ctx, scope, incident, toCopy(keys, lookup), now));
  }
  items.push(...(await finishRepairs(ctx, incidents, finished, now)));
  return items;
}

function finishedRehydration(
  ctx: RepairContext,
  { reference, run, breakerPlan }: RunScope,
  incident: Incident,
  inserts: DocKey[],
  now: string,
): FinishedRepair {
  const backup = beforeImageId(incident.id, 'rehydrate', run);
  const item: RepairItem = { ...base(incident), status: 'done', change: { type: 'insert', keys: inserts } };
  return {
    incident,
    item,
    audit: {
      action: 'refs.repair.rehydrate',
      subject: reference.name,
      details: {
        run,
        incident: incident.id,
        collection: incident.collection,
        key: incident.key,
        target: reference.target,
        from: reference.rehydrateFrom!,
        before: { inserts: null },
        change: { type: 'insert', keys: inserts },
        backup,
      },
    },
    resolution: {
      action: 'rehydrate',
      by: ctx.actor,
      at: now,
      run,
      backup,
      inserts,
      ...overridden(breakerPlan),
    },
    event: {
      type: 'rehydrated',
      reference: reference.name,
      collection: incident.collection,
      key: incident.key,
      incident: incident.id,
      detail: { target: reference.target, inserts },
      at: now,
    },
  };
}

/** An incident whose targets are all back: closed as `target-back`, audited, nothing written. */
function finishedBack(
  ctx: RepairContext,
  { reference, run, breakerPlan }: RunScope,
  incident: Incident,
  note: string,
  now: string,
): FinishedRepair {
  return {
    incident,
    item: { ...base(incident), status: 'back', note: `${note}, incident closed` },
    audit: {
      action: 'refs.repair.target-back',
      subject: reference.name,
      details: { run, incident: incident.id, collection: incident.collection, key: incident.key, note },
    },
    resolution: { action: 'target-back', by: ctx.actor, at: now, run, ...overridden(breakerPlan) },
  };
}

/** The keys of an incident the lookup will insert (those not already present). */
function toCopy(keys: readonly DocKey[], lookup: RehydrationLookup): DocKey[] {
  return keys.filter((k) => lookup.available.has(keyId(k)));
}

/** The breaker override a resolution records, so an interrupted override resumes under its plan. */
function overridden(breakerPlan: string | undefined): { breakerPlan?: string } {
  return breakerPlan ? { breakerPlan } : {};
}

function distinct(keys: readonly DocKey[]): DocKey[] {
  return [...new Map(keys.map((k) => [keyId(k), k])).values()];
}

function base(incident: Incident) {
  return {
    incident: incident.id,
    kind: incident.kind,
    collection: incident.collection,
    key: incident.key,
    action: 'rehydrate' as const,
  };
}
