import { sha256 } from '../../core/hash.js';
import type { JsonObject } from '../../core/json.js';
import { storeBeforeImages } from '../../ledger/before-images.js';
import { type Collection, type DocKey, keyId } from '../../stores/store.js';
import type { Change } from './repair-result.js';

/**
 * A document as it was before steward changed it, kept in the ledger's `backups` collection so
 * a repair run can be undone (`refs repair --undo <run>`, see `integrity/undo/`). Saved before
 * the write, keyed by run, incident and action: a killed run continued under the same id finds
 * its before-image already saved and keeps the first one, which is the document as it really
 * was, not as a half-done earlier attempt may have left it.
 */
export interface BeforeImage {
  /** The repair run that saved it (see `repair-run.ts`). */
  readonly repairRun: string;
  readonly incident: string;
  readonly action: string;
  readonly reference: string;
  readonly collection: string;
  readonly key: DocKey;
  /** The whole document, or null when there was none (a rehydrated target did not exist). */
  readonly doc: JsonObject | null;
  /** The change the run makes to it: what an undo checks is still there before putting it back. */
  readonly change?: Change;
  /** For a rehydration: the target documents inserted, as inserted. */
  readonly inserted?: readonly JsonObject[];
  readonly savedAt: string;
  /** Anything else worth keeping: the delete plan. */
  readonly detail?: JsonObject;
  /** Set by an undo that dealt with this image (see `integrity/undo/`). */
  readonly undone?: JsonObject;
}

/** The key of a before-image: one per run, incident and action. */
export function beforeImageId(incident: string, action: string, run: string): string {
  return `bkp-${sha256(`${incident}\u0000${action}\u0000${run}`).slice(0, 40)}`;
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
      id: beforeImageId(image.incident, image.action, image.repairRun),
      collection: image.collection,
      key: image.key,
      image: image as unknown as JsonObject,
    })),
  );
}

/** Which of these incidents have a before-image saved for the action by the run. */
export async function savedBeforeImages(
  backups: Collection,
  incidents: readonly string[],
  action: string,
  run: string,
): Promise<Set<string>> {
  if (incidents.length === 0) return new Set();
  const ids = incidents.map((incident) => beforeImageId(incident, action, run));
  const found = await backups.getMany(ids);
  return new Set(incidents.filter((_, i) => found.has(keyId(ids[i]!))));
}
