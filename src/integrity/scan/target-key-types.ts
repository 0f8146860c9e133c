import { type Collection, type DocKey, docKey } from '../../stores/store.js';

/** The type of a key: a string, a number or an ObjectId. */
export type KeyType = 'string' | 'number' | 'ObjectId';

/** The type of one key. Pure. */
export function keyTypeOf(key: DocKey): KeyType {
  return typeof key === 'object' ? 'ObjectId' : (typeof key as 'string' | 'number');
}

/** Target keys read to learn their types: enough to see a mix, cheap next to any scan. */
export const keyTypeSample = 200;

/**
 * The key types a target collection holds, from one keys-only page of it (the first
 * {@link keyTypeSample} keys): a reference whose value is of none of them cannot point at a
 * target document, whatever form of it resolves, so it is a type mismatch and not an orphan.
 * Empty for an empty target, which tells nothing: then every missing key stays an orphan.
 */
export async function targetKeyTypes(target: Collection): Promise<ReadonlySet<KeyType>> {
  const page = await target.scan({ limit: keyTypeSample, keysOnly: true });
  const types = new Set<KeyType>();
  for (const doc of page.docs) {
    const key = docKey(doc, target.spec);
    if (key !== undefined) types.add(keyTypeOf(key));
  }
  return types;
}

/** True when a key's type is known not to be one the target holds. Pure. */
export function wrongKeyType(key: DocKey, types: ReadonlySet<KeyType> | undefined): boolean {
  return types !== undefined && types.size > 0 && !types.has(keyTypeOf(key));
}
