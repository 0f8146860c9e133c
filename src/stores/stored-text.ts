import type { JsonObject } from '../core/json.js';
import { StewardError } from '../errors/steward-error.js';
import { type DocKey, keyId } from './store.js';

/**
 * A document parsed from its stored text (`Page.texts`), for callers that asked a scan for texts
 * beside key or projected documents and parse only the few they need whole. The store parses
 * every document it returns and refuses a text that is not JSON as `store.corrupt`; this refuses
 * it the same way, naming the document (`details.key` its keyId, as the store's), so reading the
 * text instead changes no error.
 */
export function parseStoredText(text: string, collection: string, key: DocKey | undefined): JsonObject {
  try {
    return JSON.parse(text) as JsonObject;
  } catch (error) {
    const named = key === undefined ? 'a document' : `the document with key ${JSON.stringify(key)}`;
    throw new StewardError(
      'store.corrupt',
      `${named} in collection "${collection}" is not JSON (${(error as Error).message}); it was written ` +
        'outside steward: restore it from a backup or delete it',
      { collection, ...(key === undefined ? {} : { key: keyId(key) }) },
    );
  }
}
