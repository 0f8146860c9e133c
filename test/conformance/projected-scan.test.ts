/**
 * Conformance: a scan with `fields` reads the pages of the full scan, same order and same tokens,
 * each document cut down to its key field and the named top-level fields it has, whole (nested
 * objects and arrays as stored), a missing field absent, alike on every store. Expectations come
 * from the full scan's own answer, so a store that ignored `fields`, or paged differently, fails.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { parseFilter } from '../../src/core/filter.js';
import type { JsonObject } from '../../src/core/json.js';
import { isStewardError } from '../../src/errors/steward-error.js';
import { scanPages } from '../../src/stores/scan-pages.js';
import type { Collection, Page, ScanOptions } from '../../src/stores/store.js';
import { openTestStore, selectedKinds, type TestStore } from '../support/test-stores.js';

const limit = 23;

async function readPages(c: Collection, options: ScanOptions): Promise<Page[]> {
  const out: Page[] = [];
  for await (const page of scanPages(c, { limit, ...options })) out.push(page);
  return out;
}

/** What a projection on `fields` should give for a document of the full scan. */
function picked(doc: JsonObject, keyField: string, fields: readonly string[]): JsonObject {
  return Object.fromEntries(
    [keyField, ...fields].filter((f) => doc[f] !== undefined).map((f) => [f, doc[f]!]),
  );
}

/** Documents with nested objects, arrays, nulls and fields some documents lack. */
function docsFor(keyField: string): JsonObject[] {
  return Array.from({ length: 120 }, (_, i) => ({
    [keyField]: `d${String(i).padStart(4, '0')}`,
    accountId: i % 5 === 0 ? null : `a${i % 17}`,
    ...(i % 3 === 0 ? {} : { owner: { id: `u${i}`, name: `name ${i}`, tags: ['x', i] } }),
    items:
      i % 4 === 0
        ? []
        : [
            { productId: `p${i}`, qty: i },
            { productId: `p${i + 1}`, qty: 1 },
          ],
    n: i,
    blob: 'y'.repeat(200),
  }));
}

for (const kind of selectedKinds()) {
  describe(`projected scans on ${kind}`, () => {
    let t: TestStore;
    let c: Collection;

    before(async () => {
      t = await openTestStore(kind);
      const spec = t.spec('projected');
      await t.store.ensureCollection(spec);
      c = t.store.collection(spec);
      const docs = docsFor(spec.keyField);
      for (let i = 0; i < docs.length; i += 50) {
        const results = await c.write(docs.slice(i, i + 50).map((doc) => ({ type: 'insert' as const, doc })));
        assert.ok(results.every((r) => r.status === 'ok'));
      }
    });
    after(async () => t?.cleanup());

    const assertProjection = async (fields: readonly string[], options: ScanOptions = {}) => {
      const full = await readPages(c, options);
      const projected = await readPages(c, { ...options, fields });
      const keyField = c.spec.keyField;
      if (!options.filter) assert.ok(full.flatMap((p) => p.docs).length > limit, 'several pages');
      assert.deepEqual(
        projected.map((p) => p.next),
        full.map((p) => p.next),
        'the same tokens',
      );
      assert.deepEqual(
        projected.map((p) => p.docs),
        full.map((p) => p.docs.map((d) => picked(d, keyField, fields))),
        'the key and the named fields, nothing else, page by page',
      );
      return projected.flatMap((p) => p.docs);
    };

    test('only the named fields come back, whole: nested objects, arrays and nulls as stored', async () => {
      const docs = await assertProjection(['accountId', 'owner', 'items']);
      const byKey = (k: string) => docs.find((d) => d[c.spec.keyField] === k)!;
      const first = byKey('d0001');
      assert.deepEqual(Object.keys(first).sort(), [c.spec.keyField, 'accountId', 'items', 'owner'].sort());
      assert.deepEqual(first.owner, { id: 'u1', name: 'name 1', tags: ['x', 1] });
      assert.deepEqual(first.items, [
        { productId: 'p1', qty: 1 },
        { productId: 'p2', qty: 1 },
      ]);
      assert.equal(byKey('d0005').accountId, null, 'a stored null is null');
    });

    test('a field a document lacks is absent, not null; a field no document has gives keys only', async () => {
      const docs = await assertProjection(['owner']);
      assert.equal(Object.hasOwn(docs.find((d) => d[c.spec.keyField] === 'd0000')!, 'owner'), false);
      assert.ok(docs.some((d) => Object.hasOwn(d, 'owner')));
      const none = await assertProjection(['nowhere']);
      assert.ok(none.every((d) => Object.keys(d).length === 1));
    });

    test('the key field among the fields, a filter and a resumed token page as the full scan does', async () => {
      await assertProjection([c.spec.keyField, 'n']);
      await assertProjection(['n'], { filter: parseFilter({ accountId: 'a3' }) });
      const [first] = await readPages(c, { fields: ['n'] });
      const resumed = await c.scan({ after: first!.next, limit, fields: ['n'] });
      const full = await c.scan({ after: first!.next, limit });
      assert.deepEqual(
        resumed.docs,
        full.docs.map((d) => picked(d, c.spec.keyField, ['n'])),
      );
    });

    test('with texts, a store that keeps text gives the whole stored texts beside the projection', async () => {
      const full = await readPages(c, { texts: true });
      const projected = await readPages(c, { texts: true, fields: ['n'] });
      assert.deepEqual(
        projected.map((p) => p.docs),
        full.map((p) => p.docs.map((d) => picked(d, c.spec.keyField, ['n']))),
      );
      if (!c.encode) {
        assert.ok(
          projected.every((p) => p.texts === undefined),
          'no texts where the store keeps none',
        );
        return;
      }
      assert.deepEqual(
        projected.map((p) => p.texts),
        full.map((p) => p.texts),
        'the same texts, page by page',
      );
      const texts = projected.flatMap((p) => p.texts!);
      assert.deepEqual(
        texts.map((text) => JSON.parse(text)),
        full.flatMap((p) => p.docs),
        'each text is its whole document',
      );
    });

    test('a dotted field name is refused with input.invalid', async () => {
      await assert.rejects(
        () => c.scan({ fields: ['owner.id'] }),
        (error) =>
          isStewardError(error, 'input.invalid') &&
          /project owner|for a path a\.b, project a/.test(String(error)),
      );
    });
  });
}
