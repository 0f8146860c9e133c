import type { JsonObject } from '../core/json.js';
import { StewardError } from '../errors/steward-error.js';
import { type Collection, type CopyOnWrite, keyId, type WriteOp, type WriteResult } from './store.js';

/**
 * Saves `copy` (the stored documents of its keys, gathered into one document of `copy.into`), then
 * applies `ops` to `collection`: one result per operation, in order. Where the store pushes it
 * down ({@link Collection.writeWithCopy}: SQLite, when both collections are in one database) both
 * happen in one transaction and the documents are copied inside the store. Elsewhere the
 * documents are read (one `getMany`) and the copy is saved, durably, before any operation is
 * applied, so a crash between the two leaves the copy without the change, never the reverse.
 * Throws `store.failed` when the copy is refused: then nothing of `ops` was applied.
 */
export async function writeWithCopy(
  collection: Collection,
  ops: readonly WriteOp[],
  copy: CopyOnWrite,
): Promise<WriteResult[]> {
  const pushed = await collection.writeWithCopy?.(ops, copy);
  if (pushed) return pushed;
  const stored = await collection.getMany(copy.copies.map((c) => c.key));
  const added = copy.copies.flatMap(({ key, entry }) => {
    const doc = stored.get(keyId(key));
    // No stored text to keep here: `asText` gets the document as read, serialized (see `CopyOnWrite`).
    return doc ? [{ ...entry, [copy.as]: copy.asText ? JSON.stringify(doc) : doc }] : [];
  });
  const held = copy.doc[copy.field];
  const doc: JsonObject = { ...copy.doc, [copy.field]: [...added, ...(Array.isArray(held) ? held : [])] };
  const [saved] = await copy.into.write([{ type: 'replace', doc, upsert: true }]);
  if (saved?.status !== 'ok')
    throw new StewardError(
      'store.failed',
      `could not save a copy in "${copy.into.spec.name}" (${JSON.stringify(saved ?? 'no result')}); ` +
        `nothing of the write to "${collection.spec.name}" was applied`,
      { collection: collection.spec.name },
    );
  return ops.length > 0 ? await collection.write(ops) : [];
}
