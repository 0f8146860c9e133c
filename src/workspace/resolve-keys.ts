import { renderKey } from '../core/key-text.js';
import { typedName } from '../core/typed-value.js';
import { StewardError } from '../errors/steward-error.js';
import { alternateKeyForms } from '../integrity/reference-keys.js';
import { type Collection, type DocKey, keyId } from '../stores/store.js';

/** A key as asked for and the key of the collection's type it names. */
export interface ResolvedKey {
  readonly asked: DocKey;
  readonly key: DocKey;
  /** The type the key was read as, when not the one it was written in: `ObjectId`, `number`, `string`. */
  readonly readAs?: string;
}

/**
 * Resolves keys a person named (`--id`) to keys of the collection's key type: a key is taken as
 * written when a document has it, else in the first alternate form one has (a 24-hex string is
 * the ObjectId, `42` the number or the string; see `alternateKeyForms`). A key that names no
 * document in any form is an `input.invalid` error listing every such key: naming a document
 * that does not exist is never a silent "0 examined". One `existingKeys` call for all of them.
 */
export async function resolveKeys(collection: Collection, asked: readonly DocKey[]): Promise<ResolvedKey[]> {
  const forms = asked.map((key) => [key, ...alternateKeyForms(key)]);
  const found = await collection.existingKeys(forms.flat());
  const missing: DocKey[] = [];
  const out: ResolvedKey[] = [];
  asked.forEach((key, i) => {
    const hit = forms[i]!.find((form) => found.has(keyId(form)));
    if (hit === undefined) missing.push(key);
    else out.push(hit === key ? { asked: key, key } : { asked: key, key: hit, readAs: typeOf(hit) });
  });
  if (missing.length > 0)
    throw new StewardError(
      'input.invalid',
      `no document in collection "${collection.spec.name}" has the key ${missing.map(renderKey).join(', ')} ` +
        `(looked up as written and as ${[...new Set(missing.flatMap(alternateKeyForms).map(typeOf))].join(' or ') || 'nothing else'}); ` +
        'check the key, or find it with steward find',
      { collection: collection.spec.name, keys: missing.map(renderKey) },
    );
  return out;
}

function typeOf(key: DocKey): string {
  return typeof key === 'object' ? typedName(key) : typeof key;
}
