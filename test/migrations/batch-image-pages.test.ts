/**
 * How batch images are paged when read back whole (`batchImages`, rollback's reader): pages of up
 * to 100 documents of the backups collection, then, once the images come in chunks (heads of about
 * a chunk each), pages of 4, so a page asks for about 1 MB (DynamoDB Local reads up to the Limit's
 * items before it cuts a page at 1 MB). Every image is read once, whole, and reading on from a
 * page's token gives exactly the images of the pages after it.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  batchImages,
  type ImageEntry,
  type PagedImage,
  saveBatchImage,
} from '../../src/migrations/batch-images.js';
import { openTestStore, selectedKinds, type TestStore } from '../support/test-stores.js';

for (const kind of selectedKinds()) {
  describe(`batch image pages on ${kind}`, () => {
    let t: TestStore;
    before(async () => {
      t = await openTestStore(kind);
    });
    after(async () => t.cleanup());

    test('once images come in chunks, four heads a page; each image read once and whole; resumable by token', async () => {
      const spec = t.spec('backups');
      await t.store.ensureCollection(spec);
      const backups = t.store.collection(spec);
      const saved = { migration: 'm1', attempt: 1, collection: 'tasks', stage: 'rest', savedAt: 'now' };
      const entries = (batch: string, n: number, bytes: number): ImageEntry[] =>
        Array.from({ length: n }, (_, i) => ({
          key: `${batch}k${i}`,
          doc: { id: `${batch}k${i}`, body: 'x'.repeat(bytes) },
          writtenVersion: 2,
        }));
      // Chunked images first (in key and insertion order), then enough small ones for pages after.
      const wanted = new Map<string, ImageEntry[]>();
      for (let b = 0; b < 11; b++) wanted.set(`a${String(b).padStart(3, '0')}`, entries(`a${b}`, 150, 2000));
      for (let b = 0; b < 200; b++) wanted.set(`b${String(b).padStart(3, '0')}`, entries(`b${b}`, 2, 10));
      for (const [batch, list] of wanted) await saveBatchImage(backups, saved, batch, list, undefined);

      const read: PagedImage[] = [];
      for await (const paged of batchImages(backups, { migration: 'm1', attempt: 1 }, {})) read.push(paged);
      assert.deepEqual(read.map((p) => p.batch).sort(), [...wanted.keys()].sort(), 'every image once');
      for (const p of read) assert.deepEqual(p.image.entries, wanted.get(p.batch));

      const pages = [...new Set(read.map((p) => p.page.after))];
      const onPage = (after: string | null) => read.filter((p) => p.page.after === after);
      const firstChunked = pages.findIndex((page) => onPage(page).some((p) => p.image.chunks > 1));
      const later = pages.slice(firstChunked + 1);
      assert.ok(later.length >= 2, `${later.length} pages after the first with a chunked image`);
      for (const page of later) assert.ok(onPage(page).length <= 4, `${onPage(page).length} heads on a page`);

      const middle = later[0]!;
      const rest: string[] = [];
      for await (const paged of batchImages(backups, { migration: 'm1', attempt: 1 }, { after: middle }))
        rest.push(paged.batch);
      assert.deepEqual(
        rest,
        read.slice(read.findIndex((p) => p.page.after === middle)).map((p) => p.batch),
        'reading on from a token gives the images from that page on',
      );
    });
  });
}
