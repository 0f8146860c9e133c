/**
 * Batch image entries that keep the original as stored text (`docText`, SQLite's pushdown writes
 * them; the generic save takes them back when an image is saved again): read back with `doc`
 * parsed from the text, saved again with the text alone, never both.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { JsonObject } from '../../src/core/json.js';
import {
  batchImageId,
  type ImageEntry,
  imageElements,
  readBatchImage,
  readOriginals,
  saveBatchImage,
} from '../../src/migrations/batch-images.js';
import { keyId } from '../../src/stores/store.js';
import { openTestStore, selectedKinds, type TestStore } from '../support/test-stores.js';

for (const kind of selectedKinds()) {
  describe(`batch image entries with stored text on ${kind}`, () => {
    let t: TestStore;
    before(async () => {
      t = await openTestStore(kind);
    });
    after(async () => t.cleanup());

    test('read with doc parsed from docText, saved again with docText alone; text holding no object is no entry', async () => {
      const spec = t.spec('backups_text');
      await t.store.ensureCollection(spec);
      const backups = t.store.collection(spec);
      const owner = { migration: 'm1', attempt: 1, collection: 'tasks', stage: 'rest', savedAt: 'now' };
      const text = '{ "id": "a", "v": 1.0, "name": "Ren\\u00e9" }';
      // As the pushdown saves them: the text, no object.
      const saved = [
        { key: 'a', writtenVersion: 2, docText: text },
        { key: 'b', writtenVersion: 2, doc: { id: 'b', v: 1 } },
        { key: 'c', writtenVersion: 2, docText: '[1, 2]' },
        { key: 'd', writtenVersion: 2, docText: '{"id": "d",' },
      ] as unknown as ImageEntry[];
      const first = await saveBatchImage(backups, owner, 'b1', saved, undefined);
      const image = await readBatchImage(backups, owner, 'b1');
      assert.deepEqual(
        image?.entries.map((e) => e.key),
        ['a', 'b'],
      );
      assert.deepEqual(image?.entries[0], {
        key: 'a',
        writtenVersion: 2,
        docText: text,
        doc: { id: 'a', v: 1, name: 'René' },
      });
      assert.deepEqual(image?.entries[1], { key: 'b', writtenVersion: 2, doc: { id: 'b', v: 1 } });
      const originals = await readOriginals(backups, owner, ['a', 'b']);
      assert.deepEqual(originals.get(keyId('a')), { id: 'a', v: 1, name: 'René' });
      // Saved again as read (a rerun carrying the entries over): the text alone, not doubled.
      await saveBatchImage(backups, owner, 'b1', image!.entries, first);
      const head = (await backups.getMany([batchImageId(owner, 'b1')])).get(keyId(batchImageId(owner, 'b1')));
      const entries = imageElements(head!) as JsonObject[];
      assert.deepEqual(entries[0], { key: 'a', writtenVersion: 2, docText: text });
      assert.deepEqual(entries[1], { key: 'b', writtenVersion: 2, doc: { id: 'b', v: 1 } });
    });
  });
}
