/**
 * Conformance: `writeWithCopy` saves the stored documents of the copied keys into one document of
 * another collection, then applies the writes; alike on every store, whether the store pushes it
 * down (SQLite: one transaction, copied inside the store) or takes the generic path.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { JsonObject } from '../../src/core/json.js';
import { isStewardError } from '../../src/errors/steward-error.js';
import type { SqliteCollection } from '../../src/stores/sqlite/sqlite-collection.js';
import { keyId } from '../../src/stores/store.js';
import { writeWithCopy } from '../../src/stores/write-with-copy.js';
import { sqliteWithCopies, storeRawText } from '../support/corrupt-sqlite-row.js';
import { shapedTexts } from '../support/shaped-texts.js';
import { openTestStore, selectedKinds, type TestStore } from '../support/test-stores.js';

for (const kind of selectedKinds()) {
  describe(`writeWithCopy on ${kind}`, () => {
    let t: TestStore;
    before(async () => {
      t = await openTestStore(kind);
    });
    after(async () => t.cleanup());

    /** Two fresh collections of this store: the documents, and where their copies go. */
    const withCopies = async (name: string, copiesName: string) => {
      await t.store.ensureCollection(t.spec(name));
      await t.store.ensureCollection(t.spec(copiesName));
      return { docs: t.store.collection(t.spec(name)), copies: t.store.collection(t.spec(copiesName)) };
    };

    test('copies the documents as stored before the writes, then applies the writes', async () => {
      const { docs, copies } = await withCopies('docs', 'copies');
      const spec = docs.spec;
      const copiesSpec = copies.spec;
      const stored: JsonObject[] = [
        { [spec.keyField]: 'a', v: 1, nested: { z: [1, 2.5, -0.125, 'x'], a: null }, text: 'é "q" \\ \n' },
        { [spec.keyField]: 'b', v: 1, big: 12345678901234, flag: true },
        { [spec.keyField]: 'c', v: 1 },
      ];
      await docs.write(stored.map((doc) => ({ type: 'insert', doc })));
      const results = await writeWithCopy(
        docs,
        [
          { type: 'replace', doc: { [spec.keyField]: 'a', v: 2 }, expect: { field: 'v', value: 1 } },
          { type: 'replace', doc: { [spec.keyField]: 'b', v: 2 }, expect: { field: 'v', value: 9 } },
        ],
        {
          into: copies,
          doc: {
            [copiesSpec.keyField]: 'image-1',
            owner: 'm1',
            entries: [{ key: 'kept', doc: { old: true } }],
          },
          field: 'entries',
          as: 'doc',
          copies: [
            { key: 'a', entry: { key: 'a', writtenVersion: 2 } },
            { key: 'gone', entry: { key: 'gone', writtenVersion: 2 } },
            // An entry's text is kept as given (escapes included), its `as` field replaced.
            { key: 'b', entry: { key: 'b', note: 'é "q" \\ \u2028 }', writtenVersion: 2, doc: 'dropped' } },
            // An empty entry gets the stored document alone.
            { key: 'c', entry: {} },
          ],
        },
      );
      assert.deepEqual(
        results.map((r) => r.status),
        ['ok', 'conflict'],
      );
      const image = (await copies.getMany(['image-1'])).get(keyId('image-1'));
      assert.ok(image, 'the copy is saved');
      assert.equal(image.owner, 'm1');
      const entries = image.entries as JsonObject[];
      const byKey = new Map(entries.map((e) => [(e.key as string | undefined) ?? '(none)', e]));
      assert.deepEqual(
        [...byKey.keys()].sort(),
        ['(none)', 'a', 'b', 'kept'],
        'a missing document adds nothing',
      );
      assert.deepEqual(byKey.get('a'), { key: 'a', writtenVersion: 2, doc: stored[0] });
      assert.deepEqual(byKey.get('b'), {
        key: 'b',
        note: 'é "q" \\ \u2028 }',
        writtenVersion: 2,
        doc: stored[1],
      });
      assert.deepEqual(byKey.get('(none)'), { doc: stored[2] });
      assert.deepEqual(byKey.get('kept'), { key: 'kept', doc: { old: true } });
      // Byte for byte where the store keeps field order (DynamoDB's maps keep none): the copy reads
      // back as the original was written.
      if (kind !== 'dynamodb') assert.equal(JSON.stringify(byKey.get('a')!.doc), JSON.stringify(stored[0]));
      const now = await docs.getMany(['a', 'b']);
      assert.equal(now.get(keyId('a'))?.v, 2, 'the write after the copy is applied');
      assert.deepEqual(now.get(keyId('b')), stored[1], 'a refused write changes nothing');
    });

    test('an existing copy is replaced whole; no copies and no writes still save the document', async () => {
      const { docs, copies } = await withCopies('plain', 'again');
      const copiesSpec = copies.spec;
      const doc = (n: number): JsonObject => ({ [copiesSpec.keyField]: 'img', n, entries: [] });
      await writeWithCopy(docs, [], { into: copies, doc: doc(1), field: 'entries', as: 'doc', copies: [] });
      await writeWithCopy(docs, [], { into: copies, doc: doc(2), field: 'entries', as: 'doc', copies: [] });
      assert.deepEqual((await copies.getMany(['img'])).get(keyId('img')), doc(2));
    });

    test('a key given twice is copied twice, in order; keys with quotes, escapes and non-ASCII are found', async () => {
      const { docs, copies } = await withCopies('docs_keys', 'copies_keys');
      const spec = docs.spec;
      const copiesSpec = copies.spec;
      const odd = 'q"uo\\te é\n😀';
      const stored: JsonObject[] = [
        { [spec.keyField]: odd, v: 1 },
        { [spec.keyField]: 'twice', v: 1, n: 2 },
      ];
      await docs.write(stored.map((doc) => ({ type: 'insert', doc })));
      const copy = (keys: string[]) => ({
        into: copies,
        doc: { [copiesSpec.keyField]: `image-${keys.length}`, entries: [] },
        field: 'entries',
        as: 'doc',
        copies: keys.map((key, i) => ({ key, entry: { key, i } })),
      });
      for (const keys of [
        [odd, 'twice'],
        ['twice', odd, 'twice'],
      ]) {
        await writeWithCopy(docs, [], copy(keys));
        const saved = (await copies.getMany([`image-${keys.length}`])).get(keyId(`image-${keys.length}`));
        assert.deepEqual(
          saved?.entries,
          keys.map((key, i) => ({ key, i, doc: stored.find((d) => d[spec.keyField] === key) })),
          keys.join(', '),
        );
      }
    });

    test('asText: each copy is the stored text as a JSON string, byte for byte where the store keeps text', async () => {
      const { docs, copies } = await withCopies('texts', 'texts_copies');
      const shapes = shapedTexts(docs.spec.keyField, 'v', 1);
      const keys = shapes.map((_, i) => `t${i}`);
      const texts = shapes.map((s, i) => s.text(keys[i]!));
      await docs.write(texts.map((text) => ({ type: 'insert', doc: JSON.parse(text) as JsonObject })));
      // SQLite keeps the text it is given: store each shape as another writer would.
      const sqlite = kind === 'sqlite' ? (docs as SqliteCollection) : undefined;
      if (sqlite) for (const [i, key] of keys.entries()) storeRawText(sqlite, keyId(key), texts[i]!);
      const results = await writeWithCopy(
        docs,
        keys.map((key) => ({
          type: 'replace',
          doc: { [docs.spec.keyField]: key, v: 2 },
          expect: { field: 'v', value: 1 },
        })),
        {
          into: copies,
          doc: { [copies.spec.keyField]: 'img', entries: [] },
          field: 'entries',
          as: 'docText',
          asText: true,
          copies: keys.map((key) => ({ key, entry: { key, writtenVersion: 2 } })),
        },
      );
      assert.deepEqual(
        results.map((r) => r.status),
        keys.map(() => 'ok'),
      );
      const entries = (await copies.getMany(['img'])).get(keyId('img'))?.entries as JsonObject[];
      assert.deepEqual(
        entries.map((e) => e.key),
        keys,
      );
      for (const [i, entry] of entries.entries()) {
        const shape = shapes[i]!.shape;
        assert.deepEqual(Object.keys(entry).sort(), ['docText', 'key', 'writtenVersion'], shape);
        assert.equal(typeof entry.docText, 'string', shape);
        assert.deepEqual(JSON.parse(entry.docText as string), JSON.parse(texts[i]!), shape);
        if (sqlite) assert.equal(entry.docText, texts[i], `${shape}: the stored bytes`);
      }
    });

    if (kind === 'sqlite')
      test('asText over stored text that is not JSON: the conditional write fails it, nothing copied or written', async () => {
        const { docs, copies } = await sqliteWithCopies(t, 'corrupt_text');
        const keyField = docs.spec.keyField;
        await docs.write([
          { type: 'insert', doc: { [keyField]: 'ok', v: 1 } },
          { type: 'insert', doc: { [keyField]: 'bad', v: 1 } },
        ]);
        storeRawText(docs, keyId('bad'), '{"v":1,');
        const write = (key: string) => ({
          type: 'replace' as const,
          doc: { [keyField]: key, v: 2 },
          expect: { field: 'v', value: 1 },
        });
        await assert.rejects(
          writeWithCopy(docs, [write('ok'), write('bad')], {
            into: copies,
            doc: { [copies.spec.keyField]: 'img', entries: [] },
            field: 'entries',
            as: 'docText',
            asText: true,
            copies: [
              { key: 'ok', entry: { key: 'ok' } },
              { key: 'bad', entry: { key: 'bad' } },
            ],
          }),
          (e) => isStewardError(e, 'store.corrupt'),
        );
        assert.equal((await copies.getMany(['img'])).size, 0, 'no copy saved');
        assert.equal((await docs.getMany(['ok'])).get(keyId('ok'))?.v, 1, 'no write applied');
      });

    if (kind === 'sqlite')
      test('stored text that is not JSON: store.corrupt, nothing copied, nothing written', async () => {
        const { docs, copies } = await sqliteWithCopies(t);
        const keyField = docs.spec.keyField;
        await docs.write([
          { type: 'insert', doc: { [keyField]: 'ok', v: 1 } },
          { type: 'insert', doc: { [keyField]: 'bad', v: 1 } },
        ]);
        storeRawText(docs, keyId('bad'), '{"v":1,');
        await assert.rejects(
          writeWithCopy(docs, [{ type: 'replace', doc: { [keyField]: 'ok', v: 2 } }], {
            into: copies,
            doc: { [copies.spec.keyField]: 'img', entries: [] },
            field: 'entries',
            as: 'doc',
            copies: [
              { key: 'ok', entry: { key: 'ok' } },
              { key: 'bad', entry: { key: 'bad' } },
            ],
          }),
          (e) => isStewardError(e, 'store.corrupt') && /not JSON/.test((e as Error).message),
        );
        assert.equal((await copies.getMany(['img'])).size, 0, 'no copy saved');
        assert.equal((await docs.getMany(['ok'])).get(keyId('ok'))?.v, 1, 'no write applied');
      });

    if (kind === 'sqlite')
      test('stored text SQLite reads but JSON.parse does not (JSON5): its copy is JSON, the image stays readable', async () => {
        // Why the copy keeps `json_valid`: the conditional write's `json_type` reads JSON5 and lets
        // the write through, so without it the image would hold text no JSON reader takes.
        const { docs, copies } = await sqliteWithCopies(t, 'json5');
        const keyField = docs.spec.keyField;
        await docs.write([{ type: 'insert', doc: { [keyField]: 'j5', v: 1 } }]);
        storeRawText(docs, keyId('j5'), `{v: 1, ${keyField}: 'j5'}`);
        const results = await writeWithCopy(
          docs,
          [{ type: 'replace', doc: { [keyField]: 'j5', v: 2 }, expect: { field: 'v', value: 1 } }],
          {
            into: copies,
            doc: { [copies.spec.keyField]: 'img', entries: [] },
            field: 'entries',
            as: 'doc',
            copies: [{ key: 'j5', entry: { key: 'j5' } }],
          },
        );
        assert.deepEqual(results, [{ status: 'ok' }]);
        const image = (await copies.getMany(['img'])).get(keyId('img'));
        assert.deepEqual(image?.entries, [{ key: 'j5', doc: { v: 1, [keyField]: 'j5' } }]);
      });
  });
}
