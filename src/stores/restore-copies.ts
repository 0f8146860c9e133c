import { isJsonObject, type JsonObject, parsedJsonObject, type Scalar } from '../core/json.js';
import {
  type Collection,
  type DocKey,
  isDocKey,
  keyId,
  type RestoreCopies,
  type RestoredCopies,
  type WriteOp,
} from './store.js';

/**
 * Puts back the copies of `restore` over the documents of `collection` still as they were written
 * (see {@link Collection.restoreCopies}), and says which. Where the store pushes it down (SQLite,
 * when both collections are in one database) the check and the write are one transaction and no
 * copy leaves the store. Elsewhere the copies and the documents are read (one `getMany` each), the
 * digests compared here, and each copy written on condition that the version field still holds
 * the element's `version.element` value: a change landing after the read that kept the version is
 * overwritten there, as by any read-then-write on a store without transactions.
 */
export async function restoreCopies(collection: Collection, restore: RestoreCopies): Promise<RestoredCopies> {
  const pushed = await collection.restoreCopies?.(restore);
  if (pushed) return pushed;
  const holders = await restore.from.getMany(restore.ids);
  const elements = restore.ids.flatMap((id) => {
    const list = holders.get(keyId(id))?.[restore.field];
    return Array.isArray(list) ? list : [];
  });
  // Only content digests are compared here (the stored text is not read): an element with a text
  // digest alone is left to the caller.
  const candidates = elements.filter(isJsonObject).flatMap((element) => {
    const key = element[restore.key];
    const text = restore.docText === undefined ? undefined : element[restore.docText];
    const doc = typeof text === 'string' ? parsedJsonObject(text) : element[restore.doc];
    const digest = element[restore.digest];
    return isDocKey(key) && isJsonObject(doc) && typeof digest === 'string'
      ? [
          {
            key,
            doc,
            ...(typeof text === 'string' ? { text } : {}),
            digest,
            version: (element[restore.version.element] ?? null) as Scalar,
          },
        ]
      : [];
  });
  const current = await collection.getMany(candidates.map((c) => c.key));
  const chosen = candidates.filter((c) => {
    const stored = current.get(keyId(c.key));
    return stored !== undefined && restore.digestOf(stored) === c.digest;
  });
  const results =
    chosen.length > 0 ? await collection.write(chosen.map((c) => replaceOp(c, restore, collection))) : [];
  const restored = new Set<string>();
  chosen.forEach((c, i) => {
    if (results[i]?.status === 'ok') restored.add(keyId(c.key));
  });
  return { restored, elements: elements.length };
}

function replaceOp(
  copy: { key: DocKey; doc: JsonObject; text?: string; version: Scalar },
  restore: RestoreCopies,
  collection: Collection,
): WriteOp {
  const expect = { field: restore.version.field, value: copy.version };
  // A copy kept as stored text goes back as that text where the store keeps text.
  const encoded = copy.text === undefined ? undefined : collection.encode?.(copy.doc, copy.text);
  return encoded
    ? { type: 'replace', doc: copy.doc, encoded, expect }
    : { type: 'replace', doc: copy.doc, expect };
}
