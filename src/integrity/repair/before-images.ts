import { sha256 } from '../../core/hash.js';
import type { JsonObject } from '../../core/json.js';
import { storeBeforeImages } from '../../ledger/before-images.js';
import { type Collection, type DocKey, keyId } from '../../stores/store.js';

/**
 * A document as it was before steward changed it, kept in the ledger's `backups` collection so
 * any repair can be undone by hand. Saved before the write, keyed by incident and action: a retry
 * of the same repair finds its before-image already saved and keeps the first one, which is the
 * document as it really was, not as a half-done earlier run may have left it.
 */
export interface BeforeImage {
  readonly incident: string;
  readonly action: string;
  readonly reference: string;
  readonly collection: string;
  readonly key: DocKey;
  /** The whole document, or null when there was none (a rehydrated target did not exist). */
  readonly doc: JsonObject | null;
  readonly savedAt: string;
  /** Anything else an undo needs: the delete plan, the keys a rehydration inserted. */
  readonly detail?: JsonObject;
}

/** The key of a before-image: one per incident and action. */
export function beforeImageId(incident: string, action: string): string {
  return `bkp-${sha256(`${incident}\u0000${action}`).slice(0, 40)}`;
}

/**
 * Saves before-images, insert-only: an image already saved for the same incident and action is
 * kept. Throws when the store refuses one, because a change without its before-image must not
 * happen: the caller writes nothing of the batch.
 */
export async function saveBeforeImages(backups: Collection, images: readonly BeforeImage[]): Promise<void> {
  await storeBeforeImages(
    backups,
    images.map((image) => ({
      id: beforeImageId(image.incident, image.action),
      collection: image.collection,
      key: image.key,
      image: image as unknown as JsonObject,
    })),
  );
}

/** Which of these incidents have a before-image saved for the action. */
export async function savedBeforeImages(
  backups: Collection,
  incidents: readonly string[],
  action: string,
): Promise<Set<string>> {
  if (incidents.length === 0) return new Set();
  const ids = incidents.map((incident) => beforeImageId(incident, action));
  const found = await backups.getMany(ids);
  return new Set(incidents.filter((_, i) => found.has(keyId(ids[i]!))));
}

/** The before-image of an incident's action, if saved. */
export async function readBeforeImage(
  backups: Collection,
  incident: string,
  action: string,
): Promise<BeforeImage | undefined> {
  const id = beforeImageId(incident, action);
  const found = await backups.getMany([id]);
  return found.get(keyId(id)) as unknown as BeforeImage | undefined;
}
