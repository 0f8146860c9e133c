import type { JsonObject } from '../core/json.js';
import { StewardError } from '../errors/steward-error.js';
import { type DocKey, keyFromId, keyId } from './store.js';

/**
 * A document parsed from its stored text (`Page.texts`), for callers that asked a scan for texts
 * beside key or projected documents and parse only the few they need whole. The store parses
 * every document it returns and refuses a text that is not JSON with {@link corruptStoredText};
 * this refuses it with the same error, so reading the text instead changes no error.
 */
export function parseStoredText(text: string, collection: string, key: DocKey | undefined): JsonObject {
  try {
    return JSON.parse(text) as JsonObject;
  } catch (error) {
    throw corruptStoredText(collection, key === undefined ? undefined : keyId(key), (error as Error).message);
  }
}

/**
 * `store.corrupt` for a stored document whose text is not JSON: named by its key (`k`, the key's
 * keyId, also in `details.key`), and by the store where the caller knows it ("of the SQLite
 * store"). The one wording, whether the store parsed the text or a caller did.
 */
export function corruptStoredText(
  collection: string,
  k: string | undefined,
  reason: string,
  store?: string,
): StewardError {
  const where = `in collection "${collection}"${store ? ` of the ${store} store` : ''}`;
  return new StewardError(
    'store.corrupt',
    `${k === undefined ? 'a document' : `the document with key ${shownKey(k)}`} ${where} is not JSON ` +
      `(${reason}); it was written outside steward: restore it from a backup or delete it`,
    { collection, ...(k === undefined ? {} : { key: k }) },
  );
}

/** The key as JSON, as the user wrote it; a `k` steward never writes is shown as stored. */
function shownKey(k: string): string {
  try {
    return JSON.stringify(keyFromId(k));
  } catch {
    return k;
  }
}
