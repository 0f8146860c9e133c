/**
 * Rewrites the entries of a batch image document as a test needs them (an image as an earlier
 * version wrote it), keeping its layout: where the image keeps its originals' texts raw
 * (`imageTexts`), its stored text is cut and joined again around the new entries, the texts byte
 * for byte; a parsed image written back whole would have lost them.
 */
import type { JsonObject } from '../../src/core/json.js';
import { cutRawTexts, rawTextsJson } from '../../src/core/raw-texts.js';
import { entriesTextField, imageElements, imageTexts } from '../../src/migrations/batch-images.js';
import { type Collection, keyId } from '../../src/stores/store.js';

export async function rewriteImageEntries(
  backups: Collection,
  image: JsonObject,
  change: (entry: JsonObject) => JsonObject,
): Promise<void> {
  const id = image[backups.spec.keyField] as string;
  const text = (await backups.getTexts?.([id]))?.get(keyId(id));
  const cut = text === undefined ? undefined : cutRawTexts(text, imageTexts, id);
  if (!cut) {
    const entries = (imageElements(image) as JsonObject[]).map(change);
    // In the layout it was read in: one JSON text where the store does not write text, else an array.
    const doc =
      typeof image[entriesTextField] === 'string'
        ? { ...image, [entriesTextField]: JSON.stringify(entries) }
        : { ...image, entries };
    await backups.write([{ type: 'replace', doc }]);
    return;
  }
  const entries = cut.elements.map(change);
  const head = JSON.stringify({ ...cut.head, entries: [] });
  const joined = rawTextsJson(
    imageTexts,
    head,
    entries.map((e) => JSON.stringify(e)),
    cut.texts,
  );
  const doc = { ...cut.head, entries, docTexts: cut.texts.map((t) => JSON.parse(t) as JsonObject) };
  await backups.write([{ type: 'replace', doc, encoded: backups.encode!(doc, joined) }]);
}
