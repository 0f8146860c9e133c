import type { JsonObject } from '../../core/json.js';
import { type Collection, type DocKey, keyId, type WriteOp } from '../../stores/store.js';

/**
 * Where each missing target key can come from: already back in the target (someone restored it,
 * or an earlier run inserted it), found in the source of truth (`rehydrateFrom`), or nowhere.
 */
export interface RehydrationLookup {
  /** Key ids (see `keyId`) already present in the target. */
  readonly present: ReadonlySet<string>;
  /** The documents to insert into the target, by key id, keyed as the target keys them. */
  readonly available: ReadonlyMap<string, JsonObject>;
}

/**
 * Looks the keys up in the target and in the source of truth, one round trip each. Without a
 * source of truth (`from` undefined), only whether each target is back.
 */
export async function lookUpRehydration(
  from: Collection | undefined,
  target: Collection,
  keys: readonly DocKey[],
): Promise<RehydrationLookup> {
  if (keys.length === 0) return { present: new Set(), available: new Map() };
  const [inTarget, inSource] = await Promise.all([target.getMany(keys), from?.getMany(keys) ?? new Map()]);
  const available = new Map<string, JsonObject>();
  for (const key of keys) {
    const id = keyId(key);
    const doc = inSource.get(id);
    if (from && doc && !inTarget.has(id)) available.set(id, asTargetDoc(doc, from, target, key));
  }
  return { present: new Set(inTarget.keys()), available };
}

/**
 * Inserts the available documents into the target. Inserts never overwrite: a key taken meanwhile
 * (`exists`) counts as rehydrated, since the target is there, whoever put it back. Returns the
 * key ids that are now present and, for the others, why not.
 */
export async function insertRehydrated(
  target: Collection,
  lookup: RehydrationLookup,
): Promise<{ present: Set<string>; failed: Map<string, string> }> {
  const ids = [...lookup.available.keys()];
  const ops: WriteOp[] = ids.map((id) => ({ type: 'insert', doc: lookup.available.get(id)! }));
  const results = ops.length > 0 ? await target.write(ops) : [];
  const present = new Set(lookup.present);
  const failed = new Map<string, string>();
  results.forEach((result, n) => {
    const id = ids[n]!;
    if (result.status === 'ok' || result.status === 'exists') present.add(id);
    else failed.set(id, result.status === 'failed' ? result.reason : result.status);
  });
  return { present, failed };
}

/** The source-of-truth document as the target keys it (the two may use different key fields). */
function asTargetDoc(doc: JsonObject, from: Collection, target: Collection, key: DocKey): JsonObject {
  const { [from.spec.keyField]: _sourceKey, ...rest } = doc;
  return { ...rest, [target.spec.keyField]: key };
}
