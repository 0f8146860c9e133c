import type { JsonObject } from '../core/json.js';
import { StewardError } from '../errors/steward-error.js';
import { scanDocuments } from '../stores/scan-pages.js';
import { type Collection, type DocKey, docKey, keyId } from '../stores/store.js';
import { statusOf, withoutKey } from './ledger-document.js';

/**
 * How leases are stored: one document per *generation* (acquisition) of a lease name, keyed
 * `<name>#<token, 12 digits>`. A generation is created only by a unique-key insert, the one write
 * every store applies atomically (FerretDB 1.x does not apply conditional updates atomically), so
 * of two acquirers inserting the same next token exactly one succeeds. Afterwards a generation is
 * written only by its own holder (renew, release) and deleted only once two newer ones exist.
 *
 * The current generation is the one with the highest token. Pruning never deletes the highest
 * token ever inserted (a pruner only deletes tokens below its own), so "is there a higher
 * generation than mine?" is answered correctly even when a stale acquirer re-inserted a pruned key.
 */
export interface LeaseDoc {
  readonly name: string;
  readonly holder: string;
  readonly token: number;
  /** Epoch milliseconds, by the holder's clock. */
  readonly expiresAt: number;
}

/** A generation as stored, with the key it is stored under (for pruning). */
export interface StoredGeneration {
  readonly key: DocKey;
  readonly lease: LeaseDoc;
}

/** The key of one generation of a lease: the name, `#`, the token zero-padded to 12 digits. */
export function generationKey(name: string, token: number): string {
  return `${name}#${String(token).padStart(12, '0')}`;
}

/**
 * Every stored generation of a lease name, by ascending token: one filtered scan of the leases
 * collection, which pruning keeps to a few documents per name.
 */
export async function listGenerations(collection: Collection, name: string): Promise<StoredGeneration[]> {
  const found: StoredGeneration[] = [];
  for await (const doc of scanDocuments(collection, { filter: [{ op: 'eq', path: 'name', value: name }] })) {
    found.push(parseGeneration(collection, doc));
  }
  return found.sort((a, b) => a.lease.token - b.lease.token);
}

/**
 * Reads generation `token` and the one after it in one round trip: what a holder needs to know
 * whether it still holds the lease (its own is there, no newer one is).
 */
export async function readOwnAndNext(
  collection: Collection,
  name: string,
  token: number,
): Promise<{ own?: LeaseDoc; next?: LeaseDoc }> {
  const keys = [generationKey(name, token), generationKey(name, token + 1)];
  const found = await collection.getMany(keys);
  const [own, next] = keys.map((key) => {
    const doc = found.get(keyId(key));
    return doc && parseGeneration(collection, doc).lease;
  });
  return { own, next };
}

/**
 * Deletes the generations older than `token - 1`, oldest first and one at a time, so a generation
 * is never gone while an older one is still there (a holder that finds its own generation present
 * and the next one absent really is the newest). Usually one delete: the generation that just
 * fell out of the window.
 */
export async function pruneGenerations(
  collection: Collection,
  generations: readonly StoredGeneration[],
  token: number,
): Promise<void> {
  for (const old of generations.filter((g) => g.lease.token < token - 1)) {
    const [result] = await collection.write([{ type: 'delete', key: old.key }]);
    statusOf(collection, result);
  }
}

function parseGeneration(collection: Collection, doc: JsonObject): StoredGeneration {
  const key = docKey(doc, collection.spec);
  const { name, holder, token, expiresAt } = withoutKey(collection, doc);
  if (
    key !== undefined &&
    typeof name === 'string' &&
    typeof holder === 'string' &&
    typeof token === 'number' &&
    typeof expiresAt === 'number'
  ) {
    return { key, lease: { name, holder, token, expiresAt } };
  }
  throw new StewardError(
    'ledger.conflict',
    `lease document ${JSON.stringify(doc[collection.spec.keyField])} in "${collection.spec.name}" is ` +
      'malformed; it was changed outside steward. Delete it to let the lease be acquired again.',
    { collection: collection.spec.name },
  );
}
