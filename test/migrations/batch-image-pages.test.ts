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
  batchImageHeads,
  batchImageId,
  batchImages,
  dropReplacedChunks,
  type ImageEntry,
  type PagedImage,
  type PagedImageHead,
  saveBatchImage,
} from '../../src/migrations/batch-images.js';
import { beforeImageId, saveBeforeImages } from '../../src/migrations/before-images.js';
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

    test('heads by id: every image of the attempt once, with the ids of its current chunks; resumable by token', async () => {
      const spec = t.spec('backups_heads');
      await t.store.ensureCollection(spec);
      const backups = t.store.collection(spec);
      const saved = { migration: 'm1', attempt: 1, stage: 'rest', savedAt: 'now' };
      const entries = (batch: string, n: number, bytes: number): ImageEntry[] =>
        Array.from({ length: n }, (_, i) => ({
          key: `${batch}k${i}`,
          doc: { id: `${batch}k${i}`, body: 'x'.repeat(bytes) },
          writtenVersion: 2,
        }));
      const wanted = new Map<string, string[]>();
      for (const collection of ['notes', 'tasks']) {
        const owner = { ...saved, collection };
        for (let b = 0; b < 150; b++) {
          const batch = `${collection[0]}${String(b).padStart(3, '0')}`;
          const chunkedAt = b % 37 === 5;
          const first = await saveBatchImage(
            backups,
            owner,
            batch,
            entries(batch, 3, chunkedAt ? 120_000 : 10),
            undefined,
          );
          // Some rewritten: a second run in fewer chunks, and one whose old chunks a crash left behind.
          const image =
            b % 37 === 5
              ? await saveBatchImage(backups, owner, batch, entries(batch, b % 2 ? 1 : 4, 120_000), first)
              : first;
          if (b % 74 === 5) await dropReplacedChunks(backups, owner, batch, first, image);
          const head = batchImageId(owner, batch);
          const chunks = Array.from({ length: image.chunks - 1 }, (_, i) => `${head}|${image.run}|${i + 1}`);
          wanted.set(`${collection}|${batch}`, [head, ...chunks]);
        }
        // Per-document images of the same attempt, and batch images of other attempts, are no heads.
        await saveBeforeImages(backups, [
          {
            migration: 'm1',
            attempt: 1,
            collection,
            key: 'x',
            doc: { id: 'x' },
            writtenVersion: 2,
            savedAt: 'now',
          },
        ]);
        for (const other of [
          { ...owner, attempt: 11 },
          { ...owner, migration: 'm10' },
          { ...owner, migration: 'm' },
        ])
          await saveBatchImage(backups, other, 'z', entries('z', 1, 10), undefined);
      }
      assert.ok(beforeImageId('m1', 1, 'tasks', 'x').startsWith('mig|m1|1|tasks|d|'));

      // Found by id where the scan is in key order (SQLite, MongoDB); by projected heads elsewhere.
      const orderedScan = t.store.capabilities.orderedScan;
      const read: PagedImageHead[] = [];
      for await (const head of batchImageHeads(backups, { migration: 'm1', attempt: 1 }, { orderedScan }))
        read.push(head);
      const got = new Map(read.map((h) => [`${h.collection}|${h.batch}`, h.ids]));
      assert.equal(read.length, wanted.size, 'every image once');
      assert.deepEqual(got, wanted);

      const tasksOnly: PagedImageHead[] = [];
      for await (const head of batchImageHeads(
        backups,
        { migration: 'm1', attempt: 1, collection: 'tasks' },
        { orderedScan },
      ))
        tasksOnly.push(head);
      assert.deepEqual(
        tasksOnly.map((h) => `${h.collection}|${h.batch}`),
        read.filter((h) => h.collection === 'tasks').map((h) => `${h.collection}|${h.batch}`),
      );

      const pages = [...new Set(read.map((p) => p.page.after))];
      assert.ok(pages.length >= 3, `${pages.length} pages`);
      for (const page of pages) {
        const on = read.filter((p) => p.page.after === page);
        assert.deepEqual(
          on.map((p) => p.page.last),
          on.map((_, i) => i === on.length - 1),
          'the last head of each page says so',
        );
      }
      const middle = pages[Math.floor(pages.length / 2)]!;
      const rest: string[] = [];
      for await (const head of batchImageHeads(
        backups,
        { migration: 'm1', attempt: 1 },
        { after: middle, orderedScan },
      ))
        rest.push(`${head.collection}|${head.batch}`);
      assert.deepEqual(
        rest,
        read.slice(read.findIndex((p) => p.page.after === middle)).map((p) => `${p.collection}|${p.batch}`),
        'reading on from a token gives the heads from that page on',
      );
    });
  });
}
