import { type JsonObject, setPath, unsetPath } from '../../core/json.js';
import { patchKeyProblem } from '../patch-key.js';
import type { WriteOp } from '../store.js';
import type { EntityMapping } from './table-mapping.js';
import { mappingAttributes } from './table-mapping.js';

type PatchOp = WriteOp & { type: 'patch' };

/**
 * Why a patch cannot be applied, or undefined. A patch may not change the key (setting it to its
 * current value is allowed and ignored) nor touch the attributes the DynamoDB mapping owns.
 */
export function patchProblem(m: EntityMapping, op: PatchOp): string | undefined {
  const reserved = mappingAttributes(m);
  const paths = [...Object.keys(op.set ?? {}), ...(op.unset ?? [])];
  for (const path of paths) {
    const top = path.split('.')[0] ?? path;
    if (path.split('.').some((step) => step === '')) return `patch path "${path}" is not a valid dotted path`;
    if (reserved.includes(top)) {
      return `patch path "${path}" is the DynamoDB mapping's attribute "${top}" on table "${m.table}"`;
    }
  }
  return patchKeyProblem(m.keyField, op);
}

/**
 * A patch applied in memory, as the reference semantics of `core/json.ts` define it: sets first
 * (creating missing or non-object intermediates), then unsets. Returns the new document and the
 * top-level fields it touched, which are what a rewrite sends back to DynamoDB.
 */
export function applyPatch(
  doc: JsonObject,
  op: PatchOp,
  keyField: string,
): { doc: JsonObject; touched: string[] } {
  let next = doc;
  const touched = new Set<string>();
  for (const [path, value] of Object.entries(op.set ?? {})) {
    if (path === keyField) continue;
    next = setPath(next, path, value);
    touched.add(path.split('.')[0] ?? path);
  }
  for (const path of op.unset ?? []) {
    next = unsetPath(next, path);
    touched.add(path.split('.')[0] ?? path);
  }
  return { doc: next, touched: [...touched] };
}
