/**
 * Batch images that keep their originals' stored texts raw (`imageTexts`, SQLite: the backups
 * collection writes text): saved so where every entry of a chunk has its text, read back with
 * each text byte for byte by every reader (`readBatchImage`, `batchImages`, rollback's
 * `textCopies`), across chunks; a chunk that mixes entries with and without texts is saved as
 * before; and a raw chunk read without its stored text is refused, never read as if exact.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { JsonObject } from '../../src/core/json.js';
import { isStewardError } from '../../src/errors/steward-error.js';
import {
  batchImageId,
  batchImages,
  type ImageEntry,
  imageChunkBytes,
  readBatchImage,
  saveBatchImage,
} from '../../src/migrations/batch-images.js';
import { textCopies } from '../../src/stores/sqlite/sqlite-restore-copies.js';
import { type Collection, keyId } from '../../src/stores/store.js';
import { shapedTexts } from '../support/shaped-texts.js';
import { openTestStore, selectedKinds, type TestStore } from '../support/test-stores.js';

const owner = { migration: 'm1', attempt: 1, collection: 'tasks', stage: 'rest', savedAt: 'now' };

/** Entries as a `stored-text` apply makes them, each original in another writer's shape. */
function textEntries(count: number, padding = 0): ImageEntry[] {
  const shapes = shapedTexts('id', 'v', 1);
  return Array.from({ length: count }, (_, i) => {
    const key = `k${String(i).padStart(3, '0')}`;
    const shaped = shapes[i % shapes.length]!.text(key);
    // A long string field makes the image span chunks (the text stays in its shape).
    const docText = padding > 0 ? shaped.replace(/}\s*$/, `,"pad":"${'\u00e9'.repeat(padding)}"}\n`) : shaped;
    const doc = JSON.parse(docText) as JsonObject;
    return { key, doc, writtenVersion: 2, writtenTextDigest: `digest-${i}`, docText };
  });
}

/** The image documents' stored texts by id, the head first. */
async function storedTexts(backups: Collection, ids: readonly string[]): Promise<string[]> {
  const texts = await backups.getTexts!(ids);
  return ids.map((id) => texts.get(keyId(id))!);
}

for (const kind of selectedKinds().filter((k) => k === 'sqlite')) {
  describe(`batch images keeping stored texts raw on ${kind}`, () => {
    let t: TestStore;
    let backups: Collection;
    before(async () => {
      t = await openTestStore(kind);
      const spec = t.spec('backups_raw');
      await t.store.ensureCollection(spec);
      backups = t.store.collection(spec);
    });
    after(async () => t.cleanup());

    test('chunks keep the texts raw; every reader gives each text back byte for byte', async () => {
      const entries = textEntries(12, Math.ceil(imageChunkBytes / 5));
      const saved = await saveBatchImage(backups, owner, 'b1', entries, undefined);
      assert.ok(saved.chunks > 2, `the image spans chunks (${saved.chunks})`);
      const head = batchImageId(owner, 'b1');
      const ids = [head, ...Array.from({ length: saved.chunks - 1 }, (_, i) => `${head}|0|${i + 1}`)];
      for (const text of await storedTexts(backups, ids)) {
        assert.ok(text.includes('],\n"docTexts":['), 'the texts follow the entries, raw');
        assert.ok(!text.includes('"docText":'), 'no entry holds its text as a string');
      }
      const expected = entries.map(({ key, docText, doc }) => ({ key, docText, doc }));
      const pick = (read: readonly ImageEntry[] | undefined) =>
        read?.map(({ key, docText, doc }) => ({ key, docText, doc }));
      assert.deepEqual(pick((await readBatchImage(backups, owner, 'b1'))?.entries), expected);
      for await (const { image } of batchImages(backups, owner, {}))
        assert.deepEqual(pick(image.entries), expected);
      const holders = (await backups.getTexts!(ids)) as Map<string, string>;
      const copies = textCopies(
        ids.map((id) => [keyId(id), holders.get(keyId(id))!] as const),
        restoreOf(backups, ids),
      );
      assert.deepEqual(
        copies,
        entries.map((e, i) => ({ k: keyId(e.key), text: e.docText, textDigest: `digest-${i}` })),
      );
      // Read as carried entries and saved again (a rerun): the same texts, raw again.
      const again = await saveBatchImage(
        backups,
        owner,
        'b1',
        (await readBatchImage(backups, owner, 'b1'))!.entries,
        saved,
      );
      assert.equal(again.run, 1);
      assert.deepEqual(pick((await readBatchImage(backups, owner, 'b1'))?.entries), expected);
    });

    test('a chunk mixing entries with and without texts is saved as before', async () => {
      const [withText, other] = textEntries(2);
      const plain = { key: other!.key, doc: other!.doc, writtenVersion: 2 };
      await saveBatchImage(backups, owner, 'b2', [withText!, plain], undefined);
      const [text] = await storedTexts(backups, [batchImageId(owner, 'b2')]);
      assert.ok(!text!.includes('\n"docTexts"'));
      const read = (await readBatchImage(backups, owner, 'b2'))?.entries;
      assert.deepEqual(
        read?.map((e) => e.docText),
        [withText!.docText, undefined],
      );
    });

    test('a mixed chunk is sized as saved: texts escaped in its elements may take more chunks', async () => {
      // Texts of quotes, each escaped to two characters inside an element: raw, the entries fit
      // in one chunk; escaped, they take about twice its bytes.
      const quoted = (i: number) => `{"id":"q${i}","s":"${'\\"'.repeat(imageChunkBytes / 16)}"}`;
      const entries: ImageEntry[] = Array.from({ length: 6 }, (_, i) => {
        const docText = quoted(i);
        return { key: `q${i}`, doc: JSON.parse(docText) as JsonObject, writtenVersion: 2, docText };
      });
      const rawBytes = entries.reduce((n, e) => n + e.docText!.length, 0);
      assert.ok(rawBytes < imageChunkBytes, `${rawBytes} bytes of texts fit in one chunk raw`);
      const plain = { key: 'q9', doc: { id: 'q9' }, writtenVersion: 2 };
      const saved = await saveBatchImage(backups, owner, 'b4', [...entries, plain], undefined);
      const head = batchImageId(owner, 'b4');
      const ids = [head, ...Array.from({ length: saved.chunks - 1 }, (_, i) => `${head}|0|${i + 1}`)];
      for (const text of await storedTexts(backups, ids)) {
        assert.ok(text.length <= imageChunkBytes + 1024, `a chunk of ${text.length} bytes`);
        assert.ok(!text.includes('\n"docTexts"'), 'saved as before');
      }
      assert.ok(saved.chunks >= 2, `the escaped texts take ${saved.chunks} chunks`);
      const read = (await readBatchImage(backups, owner, 'b4'))?.entries;
      assert.deepEqual(
        read?.map((e) => e.docText),
        [...entries.map((e) => e.docText), undefined],
      );
    });

    test('a raw chunk read without its stored text is refused, naming the image', async () => {
      await saveBatchImage(backups, owner, 'b3', textEntries(3), undefined);
      const parsedOnly = Object.assign(Object.create(backups) as Collection, { getTexts: undefined });
      await assert.rejects(
        readBatchImage(parsedOnly, owner, 'b3'),
        (error) => isStewardError(error, 'store.failed') && error.message.includes(batchImageId(owner, 'b3')),
      );
    });
  });
}

function restoreOf(from: Collection, ids: readonly string[]) {
  return {
    from,
    ids,
    field: 'entries',
    key: 'key',
    doc: 'doc',
    docText: 'docText',
    digest: 'writtenDigest',
    digestOf: () => '',
    textDigest: 'writtenTextDigest',
    version: { field: 'v', element: 'writtenVersion' },
  };
}
