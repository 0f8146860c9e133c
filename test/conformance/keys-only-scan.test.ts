/**
 * Conformance: a keys-only scan reads the pages of the full scan, same order and same tokens, each
 * document cut down to its key field, alike on every store. Every expectation is the full scan's
 * own answer, so a store that ignored `keysOnly`, or paged differently with it, fails.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { parseFilter } from '../../src/core/filter.js';
import type { JsonObject } from '../../src/core/json.js';
import { scanPages } from '../../src/stores/scan-pages.js';
import {
  type Collection,
  type CollectionSpec,
  type DocKey,
  docKey,
  keyId,
  type Page,
  type ScanOptions,
} from '../../src/stores/store.js';
import { openTestStore, selectedKinds, type TestStore } from '../support/test-stores.js';

/** A small page size, so a few hundred documents cross many page boundaries. */
const limit = 37;

async function readPages(c: Collection, options: ScanOptions): Promise<Page[]> {
  const out: Page[] = [];
  for await (const page of scanPages(c, { limit, ...options })) out.push(page);
  return out;
}

/** What a keys-only scan should give for a document of the full scan. */
function keyOnly(doc: JsonObject, keyField: string): JsonObject {
  return doc[keyField] === undefined ? {} : { [keyField]: doc[keyField] };
}

/**
 * Scans with and without keysOnly and asserts they agree page by page: the same `next` tokens
 * and the same keys in the same order. Returns the full scan's documents.
 */
async function assertKeysOnlyMatches(c: Collection, options: ScanOptions = {}): Promise<JsonObject[]> {
  const full = await readPages(c, options);
  const keys = await readPages(c, { ...options, keysOnly: true });
  const keyField = c.spec.keyField;
  const docs = full.flatMap((p) => p.docs);
  assert.ok(
    docs.every((d) => Object.keys(d).length > 1),
    'the full documents hold more than their key, so a scan ignoring keysOnly fails',
  );
  assert.deepEqual(
    keys.map((p) => p.next),
    full.map((p) => p.next),
    'the same tokens',
  );
  assert.deepEqual(
    keys.map((p) => p.docs),
    full.map((p) => p.docs.map((d) => keyOnly(d, keyField))),
    'the same keys, page by page',
  );
  return docs;
}

const idsOf = (spec: CollectionSpec, docs: readonly JsonObject[]) =>
  docs.map((d) => {
    const key = docKey(d, spec);
    assert.ok(key !== undefined, `document ${JSON.stringify(d)} has a key`);
    return keyId(key);
  });

async function fill(c: Collection, keys: readonly DocKey[]): Promise<void> {
  const docs = keys.map((key, i) => ({ [c.spec.keyField]: key, n: i, group: i % 4, pad: 'x'.repeat(40) }));
  for (let i = 0; i < docs.length; i += 100) {
    const results = await c.write(docs.slice(i, i + 100).map((doc) => ({ type: 'insert' as const, doc })));
    assert.ok(results.every((r) => r.status === 'ok'));
  }
}

const stringKeys = Array.from({ length: 300 }, (_, i) => `k${String(i).padStart(4, '0')}`);
const oid = (i: number) => ({ $oid: i.toString(16).padStart(24, '0') });

for (const kind of selectedKinds()) {
  describe(`keys-only scans on ${kind}`, () => {
    let t: TestStore;
    let spec: CollectionSpec;
    before(async () => {
      t = await openTestStore(kind);
      spec = t.spec('keys_only');
      await t.store.ensureCollection(spec);
      await fill(t.store.collection(spec), stringKeys);
    });
    after(async () => t.cleanup());

    test('string keys: the keys of the full scan, page by page, with the same tokens', async () => {
      const docs = await assertKeysOnlyMatches(t.store.collection(spec));
      assert.deepEqual(new Set(idsOf(spec, docs)), new Set(stringKeys.map(keyId)));
      assert.equal(docs.length, stringKeys.length);
    });

    test('a scan may switch between keys-only and full documents with the same token', async () => {
      const c = t.store.collection(spec);
      const full = await readPages(c, {});
      const mixed: Page[] = [];
      let after: string | null = null;
      do {
        const page: Page = await c.scan({ limit, after, keysOnly: mixed.length % 2 === 0 });
        mixed.push(page);
        after = page.next;
      } while (after);
      assert.deepEqual(
        mixed.map((p) => p.next),
        full.map((p) => p.next),
      );
      assert.deepEqual(
        mixed.map((p) => p.docs),
        full.map((p, i) => (i % 2 === 0 ? p.docs.map((d) => keyOnly(d, spec.keyField)) : p.docs)),
      );
    });

    test('with texts, a store that keeps text gives the whole stored texts beside the keys', async () => {
      const c = t.store.collection(spec);
      const full = await readPages(c, { texts: true });
      const keys = await readPages(c, { texts: true, keysOnly: true });
      assert.deepEqual(
        keys.map((p) => p.docs),
        full.map((p) => p.docs.map((d) => keyOnly(d, spec.keyField))),
        'the same keys, page by page',
      );
      if (!c.encode) {
        assert.ok(
          keys.every((p) => p.texts === undefined),
          'no texts where the store keeps none',
        );
        return;
      }
      assert.deepEqual(
        keys.map((p) => p.texts),
        full.map((p) => p.texts),
        'the same texts, page by page',
      );
      assert.deepEqual(
        keys.flatMap((p) => p.texts!).map((text) => JSON.parse(text)),
        full.flatMap((p) => p.docs),
        'each text is its whole document',
      );
    });

    test('a filter still applies to the stored document', async () => {
      const c = t.store.collection(spec);
      for (const raw of [{ group: { $in: [0, 3] } }, { [spec.keyField]: { $gte: 'k0100', $lt: 'k0150' } }]) {
        const docs = await assertKeysOnlyMatches(c, { filter: parseFilter(raw) });
        assert.ok(docs.length > 0 && docs.length < stringKeys.length, `${JSON.stringify(raw)} selects some`);
      }
    });

    test('segments 0 and 1 of 2 cover the keys exactly once between them', async () => {
      const c = t.store.collection(spec);
      const seen: string[] = [];
      for (const index of [0, 1]) {
        seen.push(...idsOf(spec, await assertKeysOnlyMatches(c, { segment: { index, total: 2 } })));
        const keys = await readPages(c, { segment: { index, total: 2 }, keysOnly: true });
        assert.ok(keys.flatMap((p) => p.docs).length > 0, `segment ${index} is not empty`);
      }
      assert.equal(seen.length, stringKeys.length);
      assert.deepEqual(new Set(seen), new Set(stringKeys.map(keyId)));
    });

    if (kind !== 'dynamodb') {
      test('number keys, and strings among them, come back as the full scan has them', async () => {
        const s = t.spec('keys_only_numbers');
        await t.store.ensureCollection(s);
        const keys: DocKey[] = [
          ...Array.from({ length: 250 }, (_, i) => i * 3 - 100),
          2.5,
          -0.125,
          1e21,
          ...['1', '2', 'n:3'],
        ];
        await fill(t.store.collection(s), keys);
        const docs = await assertKeysOnlyMatches(t.store.collection(s));
        assert.deepEqual(new Set(idsOf(s, docs)), new Set(keys.map(keyId)));
      });

      test('ObjectId keys come back as { $oid }', async () => {
        const s = t.spec('keys_only_oids');
        await t.store.ensureCollection(s);
        const keys = Array.from({ length: 200 }, (_, i) => oid(i * 7919 + 1));
        await fill(t.store.collection(s), keys);
        const docs = await assertKeysOnlyMatches(t.store.collection(s));
        assert.deepEqual(new Set(idsOf(s, docs)), new Set(keys.map(keyId)));
      });
    }

    if (kind === 'mongodb') {
      test('a key field other than _id: the key field alone, without _id', async () => {
        const s = { ...t.spec('keys_only_id'), keyField: 'id' };
        await t.store.ensureCollection(s);
        const c = t.store.collection(s);
        await fill(c, stringKeys.slice(0, 150));
        const docs = await assertKeysOnlyMatches(c);
        assert.ok(
          docs.every((d) => '_id' in d),
          'the full documents have an _id besides their key',
        );
        assert.equal(docs.length, 150);
      });
    }

    if (kind === 'dynamodb') {
      test('in a shared table: only the entity’s items, number keys and prefixed keys as a full scan has them', async () => {
        const table = t.spec('keys_only_shared');
        const entity = (value: string, keyPrefix: string): CollectionSpec => ({
          name: `${table.name}_${value}`,
          keyField: 'id',
          dynamodb: {
            table: table.name,
            partitionKey: 'PK',
            keyPrefix,
            discriminator: { name: 'kind', value },
          },
        });
        await t.store.ensureCollection(entity('a', 'A#'));
        const numbers = t.store.collection(entity('a', 'A#'));
        const strings = t.store.collection(entity('b', 'B#'));
        const numberKeys = Array.from({ length: 200 }, (_, i) => i * 3 - 100);
        await fill(numbers, numberKeys);
        await fill(strings, stringKeys.slice(0, 120));
        const a = await assertKeysOnlyMatches(numbers);
        assert.deepEqual(new Set(idsOf(numbers.spec, a)), new Set(numberKeys.map(keyId)));
        const b = await assertKeysOnlyMatches(strings);
        assert.deepEqual(new Set(idsOf(strings.spec, b)), new Set(stringKeys.slice(0, 120).map(keyId)));
        // A filter on the prefixed key field is checked on the document, after reading.
        const filter = parseFilter({ id: { $gte: 'k0030', $lt: 'k0070' } });
        assert.equal((await assertKeysOnlyMatches(strings, { filter })).length, 40);
        for (const index of [0, 1]) await assertKeysOnlyMatches(numbers, { segment: { index, total: 2 } });
      });
    }
  });
}
