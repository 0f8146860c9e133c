import { type DocKey, keyId, type WriteOp } from './store.js';

/**
 * Why a patch may not be applied because it changes or removes the document's key, or undefined.
 * A document is found by its key everywhere (reads by key, key ranges, references; SQLite answers
 * filters on the key field from its key column), so a patch that moved it would leave the key and
 * the document disagreeing. Setting the key field to the key it has is allowed and changes nothing.
 * Every store refuses the same patches: MongoDB's `_id` is immutable, DynamoDB cannot update a key
 * attribute, and SQLite checks it here.
 */
export function patchKeyProblem(keyField: string, op: WriteOp & { type: 'patch' }): string | undefined {
  for (const path of [...Object.keys(op.set ?? {}), ...(op.unset ?? [])]) {
    if ((path.split('.')[0] ?? path) !== keyField) continue;
    const set = op.set?.[path];
    const unchanged =
      path === keyField &&
      Object.hasOwn(op.set ?? {}, path) &&
      sameKey(set, op.key) &&
      !op.unset?.includes(path);
    if (!unchanged) return `patch cannot change the key field "${keyField}"`;
  }
  return undefined;
}

function sameKey(value: unknown, key: DocKey): boolean {
  if (typeof value === 'string' || typeof value === 'number') return keyId(value) === keyId(key);
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    const oid = (value as { $oid?: unknown }).$oid;
    return typeof oid === 'string' && Object.keys(value).length === 1 && keyId({ $oid: oid }) === keyId(key);
  }
  return false;
}
