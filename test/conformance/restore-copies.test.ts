/**
 * Conformance: `restoreCopies` puts back the copies held in another collection's documents over
 * the stored documents still exactly as written (by digest), and leaves every other document as it
 * is; alike on every store, whether the store pushes it down (SQLite: one statement in one
 * transaction, the copies never parsed in JavaScript) or takes the generic path.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { JsonObject } from '../../src/core/json.js';
import { documentDigest } from '../../src/migrations/collection-checksum.js';
import { restoreCopies } from '../../src/stores/restore-copies.js';
import type { SqliteCollection } from '../../src/stores/sqlite/sqlite-collection.js';
import { type Collection, type DocKey, keyId, type RestoreCopies } from '../../src/stores/store.js';
import { sqliteWithCopies, storeRawText } from '../support/corrupt-sqlite-row.js';
import { shapedTexts } from '../support/shaped-texts.js';
import { openTestStore, selectedKinds, type TestStore } from '../support/test-stores.js';

for (const kind of selectedKinds()) {
  describe(`restoreCopies on ${kind}`, () => {
    let t: TestStore;
    before(async () => {
      t = await openTestStore(kind);
    });
    after(async () => t.cleanup());

    /** The documents `<name>` and the collection `<name>_copies` holding their copies, both made. */
    const pair = async (name: string) => {
      const spec = t.spec(name);
      const copiesSpec = t.spec(`${name}_copies`);
      await t.store.ensureCollection(spec);
      await t.store.ensureCollection(copiesSpec);
      const docs = t.store.collection(spec);
      const copies = t.store.collection(copiesSpec);
      return { docs, copies, id: spec.keyField, copiesKey: copiesSpec.keyField };
    };

    /**
     * Documents 'same' stored as written; 'reordered' rewritten since with the same content in
     * another field order (other text); 'changed' with other content.
     */
    const threeStates = async (docs: Collection, id: string) => {
      const written = (key: string): JsonObject => ({ [id]: key, v: 2, title: 't', done: true });
      const reordered = (key: string): JsonObject => ({ done: true, title: 't', v: 2, [id]: key });
      await docs.write(
        ['same', 'reordered', 'changed'].map((key) => ({ type: 'insert', doc: written(key) })),
      );
      await docs.write([
        { type: 'replace', doc: reordered('reordered') },
        { type: 'replace', doc: { ...written('changed'), title: 'edited' } },
      ]);
      return { written, reordered };
    };

    /**
     * Documents 'a' and 'b' as written and 'c' holding the email 'taken' under a unique index, so
     * a copy of 'b' with that email is refused.
     */
    const uniquePair = async (name: string) => {
      const made = await pair(name);
      const { docs, id } = made;
      await docs.createIndex({ name: 'by_email', fields: ['email'], unique: true });
      const now: JsonObject[] = [
        { [id]: 'a', v: 2, email: 'a2' },
        { [id]: 'b', v: 2, email: 'b2' },
        { [id]: 'c', v: 1, email: 'taken' },
      ];
      await docs.write(now.map((doc) => ({ type: 'insert', doc })));
      return { ...made, now };
    };

    const request = (from: Collection, ids: DocKey[]): RestoreCopies => ({
      from,
      ids,
      field: 'entries',
      key: 'key',
      doc: 'doc',
      digest: 'writtenDigest',
      digestOf: documentDigest,
      version: { field: 'v', element: 'writtenVersion' },
    });

    test('puts back only documents still as written; changed, moved on and missing ones are left', async () => {
      const { docs, copies, id, copiesKey } = await pair('docs');
      const original = (key: DocKey, extra: JsonObject = {}): JsonObject => ({
        [id]: key,
        v: 1,
        text: 'é "q" \\ \n',
        nested: { z: [1, 2.5, -0.125, 'x'], a: null },
        ...extra,
      });
      const written = (key: DocKey): JsonObject => ({ [id]: key, v: 2, name: { first: 'A', last: 'B' } });
      // 'same' and 7 are as written; 'changed' was changed since at the same version; 'moved' went on
      // to version 3; 'gone' was deleted; 'nodigest' has no digest to check against.
      // A number key too, where the store's keys may be numbers (a DynamoDB table's key has one type).
      const seven: DocKey = kind === 'dynamodb' ? '7' : 7;
      const keys: DocKey[] = ['same', seven, 'changed', 'moved', 'gone', 'nodigest'];
      const now: JsonObject[] = [
        written('same'),
        written(seven),
        { ...written('changed'), note: 'edited by a user' },
        { ...written('moved'), v: 3 },
        written('nodigest'),
        written('bystander'),
      ];
      await docs.write(now.map((doc) => ({ type: 'insert', doc })));
      const entry = (key: DocKey): JsonObject => ({
        key,
        doc: original(key, key === seven ? { big: 12345678901234, flag: true } : {}),
        writtenVersion: 2,
        ...(key === 'nodigest' ? {} : { writtenDigest: documentDigest(written(key)) }),
      });
      await copies.write([
        { type: 'insert', doc: { [copiesKey]: 'head', entries: keys.slice(0, 3).map(entry) } },
        { type: 'insert', doc: { [copiesKey]: 'chunk', entries: keys.slice(3).map(entry) } },
        { type: 'insert', doc: { [copiesKey]: 'other', entries: [entry('bystander')] } },
      ]);
      const result = await restoreCopies(docs, request(copies, ['head', 'chunk']));
      assert.deepEqual([...result.restored].sort(), [keyId(seven), keyId('same')].sort());
      assert.equal(result.elements, 6, 'every element of the two documents is seen');
      const after = await docs.getMany(keys);
      assert.deepEqual(after.get(keyId('same')), original('same'));
      assert.deepEqual(after.get(keyId(seven)), original(seven, { big: 12345678901234, flag: true }));
      // Byte for byte where the store keeps field order (DynamoDB's maps keep none).
      if (kind !== 'dynamodb')
        assert.equal(JSON.stringify(after.get(keyId('same'))), JSON.stringify(original('same')));
      assert.deepEqual(after.get(keyId('changed')), now[2], 'a document changed since is not overwritten');
      assert.deepEqual(after.get(keyId('moved')), now[3], 'a document moved on is not overwritten');
      assert.equal(after.has(keyId('gone')), false, 'a deleted document is not recreated');
      assert.deepEqual(after.get(keyId('nodigest')), now[4], 'without a digest nothing is put back');
      const bystander = (await docs.getMany(['bystander'])).get(keyId('bystander'));
      assert.deepEqual(bystander, now[5], 'copies held by documents not named are not read');
      const again = await restoreCopies(docs, request(copies, ['head', 'chunk']));
      assert.equal(again.restored.size, 0, 'a document put back is no longer as written: a rerun leaves it');
    });

    test('a text digest puts back what is stored as written unparsed; same content in other text by content', async () => {
      const { docs, copies, id, copiesKey } = await pair('text');
      // SQLite keeps text as written, so it has text digests; MongoDB and DynamoDB re-encode.
      assert.equal(docs.encode !== undefined, kind === 'sqlite');
      const textDigest = docs.encode && ((doc: JsonObject) => docs.encode!(doc).textDigest);
      const { written, reordered } = await threeStates(docs, id);
      if (textDigest) {
        assert.equal(textDigest(written('a')), textDigest(written('a')));
        assert.notEqual(textDigest(written('a')), textDigest(reordered('a')), 'other text, other digest');
      }
      const entry = (key: string): JsonObject => ({
        key,
        doc: { [id]: key, v: 1, title: 't', status: 'done' },
        writtenVersion: 2,
        writtenDigest: documentDigest(written(key)),
        ...(textDigest ? { writtenTextDigest: textDigest(written(key)) } : {}),
      });
      await copies.write([
        {
          type: 'insert',
          doc: { [copiesKey]: 'img', entries: ['same', 'reordered', 'changed'].map(entry) },
        },
      ]);
      let contentDigests = 0;
      const result = await restoreCopies(docs, {
        ...request(copies, ['img']),
        textDigest: 'writtenTextDigest',
        digestOf: (doc) => {
          contentDigests++;
          return documentDigest(doc);
        },
      });
      assert.deepEqual([...result.restored].sort(), [keyId('reordered'), keyId('same')]);
      assert.equal(result.elements, 3);
      // With text digests, the document stored as written costs no content digest.
      assert.equal(contentDigests, textDigest ? 2 : 3);
      const after = await docs.getMany(['same', 'reordered', 'changed']);
      assert.deepEqual(after.get(keyId('same')), entry('same').doc);
      assert.deepEqual(after.get(keyId('reordered')), entry('reordered').doc);
      assert.deepEqual(after.get(keyId('changed')), { ...written('changed'), title: 'edited' });
    });

    /** Every row's stored text by key, where the store keeps text (SQLite); undefined elsewhere. */
    const storedTexts = (docs: Collection): Map<string, string> | undefined => {
      if (kind !== 'sqlite') return undefined;
      const sqlite = docs as SqliteCollection;
      const rows = sqlite.db.prepare(`SELECT k, doc FROM ${sqlite.table}`).all() as {
        k: string;
        doc: string;
      }[];
      return new Map(rows.map((row) => [row.k, row.doc]));
    };

    test('copies kept as stored text go back byte for byte; copies kept as objects beside them as before', async () => {
      const { docs, copies, id, copiesKey } = await pair('texts');
      const shapes = shapedTexts(id, 'v', 1);
      const keys = shapes.map((_, i) => `t${i}`);
      const written = (key: string): JsonObject => ({ [id]: key, v: 2, done: true });
      await docs.write([...keys, 'object'].map((key) => ({ type: 'insert', doc: written(key) })));
      const digests = (key: string): JsonObject => ({
        writtenVersion: 2,
        writtenDigest: documentDigest(written(key)),
        ...(docs.encode ? { writtenTextDigest: docs.encode(written(key)).textDigest } : {}),
      });
      const texts = shapes.map((shape, i) => shape.text(keys[i]!));
      const object: JsonObject = { [id]: 'object', v: 1, name: 'R\u00e9 "q"', n: 1.5 };
      const entries = [
        ...keys.map((key, i) => ({ key, ...digests(key), docText: texts[i]! })),
        { key: 'object', doc: object, ...digests('object') },
      ];
      await copies.write([{ type: 'insert', doc: { [copiesKey]: 'img', entries } }]);
      const result = await restoreCopies(docs, {
        ...request(copies, ['img']),
        docText: 'docText',
        textDigest: 'writtenTextDigest',
      });
      assert.deepEqual([...result.restored].sort(), [...keys, 'object'].map(keyId).sort());
      assert.equal(result.elements, keys.length + 1);
      const after = await docs.getMany([...keys, 'object']);
      for (const [i, key] of keys.entries())
        assert.deepEqual(after.get(keyId(key)), JSON.parse(texts[i]!), shapes[i]!.shape);
      assert.deepEqual(after.get(keyId('object')), object);
      const stored = storedTexts(docs);
      if (stored) {
        for (const [i, key] of keys.entries())
          assert.equal(stored.get(keyId(key)), texts[i], `${shapes[i]!.shape}: the very bytes`);
        assert.equal(stored.get(keyId('object')), JSON.stringify(object), 'an object copy as written');
      }
    });

    test('a copy with a text digest and no content digest goes back only on a text match', async () => {
      const { docs, copies, id, copiesKey } = await pair('text_only');
      const { written, reordered } = await threeStates(docs, id);
      const original = (key: string) => `{ ${JSON.stringify(id)}: ${JSON.stringify(key)}, "v": 1.0 }`;
      const entry = (key: string): JsonObject => ({
        key,
        writtenVersion: 2,
        ...(docs.encode ? { writtenTextDigest: docs.encode(written(key)).textDigest } : {}),
        docText: original(key),
      });
      await copies.write([
        { type: 'insert', doc: { [copiesKey]: 'img', entries: ['same', 'reordered', 'changed'].map(entry) } },
      ]);
      let contentDigests = 0;
      const result = await restoreCopies(docs, {
        ...request(copies, ['img']),
        docText: 'docText',
        textDigest: 'writtenTextDigest',
        digestOf: (doc) => {
          contentDigests++;
          return documentDigest(doc);
        },
      });
      // Only a store that keeps text can tell a text match (SQLite); elsewhere all are left.
      assert.deepEqual([...result.restored], docs.encode ? [keyId('same')] : []);
      assert.equal(result.elements, 3);
      assert.equal(contentDigests, 0, 'no content digest to compare');
      const after = await docs.getMany(['same', 'reordered', 'changed']);
      assert.deepEqual(after.get(keyId('same')), docs.encode ? { [id]: 'same', v: 1 } : written('same'));
      assert.deepEqual(
        after.get(keyId('reordered')),
        reordered('reordered'),
        'same content, other text: left',
      );
      assert.deepEqual(after.get(keyId('changed')), { ...written('changed'), title: 'edited' });
      assert.equal(storedTexts(docs)?.get(keyId('same')) ?? original('same'), original('same'));
    });

    test('string keys with quotes, backslashes, braces or accents are put back under their own key', async () => {
      const { docs, copies, id, copiesKey } = await pair('odd_keys');
      // The SQLite statement reads a string key's JSON text with string functions (see
      // `restoreCopiesSql`): escapes, a key that looks like an ObjectId's JSON, and non-ASCII text.
      const keys = ['a"b', 'back\\slash', '{"$oid":"0123456789abcdef01234567"}', 'ré\u00e9ü', ' ', '[1]'];
      const written = (key: string): JsonObject => ({ [id]: key, v: 2 });
      await docs.write(keys.map((key) => ({ type: 'insert', doc: written(key) })));
      const entries = keys.map((key) => ({
        key,
        doc: { [id]: key, v: 1, back: true },
        writtenVersion: 2,
        writtenDigest: documentDigest(written(key)),
      }));
      await copies.write([{ type: 'insert', doc: { [copiesKey]: 'img', entries } }]);
      const result = await restoreCopies(docs, request(copies, ['img']));
      assert.deepEqual([...result.restored].sort(), keys.map(keyId).sort());
      const after = await docs.getMany(keys);
      for (const key of keys) assert.deepEqual(after.get(keyId(key)), { [id]: key, v: 1, back: true }, key);
    });

    test('no holders, or holders without copies: nothing restored, nothing seen', async () => {
      const { docs, copies, copiesKey } = await pair('empty');
      await copies.write([{ type: 'insert', doc: { [copiesKey]: 'bare', n: 1 } }]);
      const result = await restoreCopies(docs, request(copies, ['bare', 'absent']));
      assert.deepEqual(result, { restored: new Set(), elements: 0 });
    });

    // DynamoDB has no secondary indexes through the seam, so nothing there can refuse a restore.
    if (kind !== 'dynamodb')
      test('a unique index refusing one restore fails that document alone', async () => {
        const { docs, copies, id, copiesKey, now } = await uniquePair('unique');
        const entry = (doc: JsonObject, original: JsonObject): JsonObject => ({
          key: doc[id] as string,
          doc: original,
          writtenVersion: 2,
          writtenDigest: documentDigest(doc),
        });
        await copies.write([
          {
            type: 'insert',
            doc: {
              [copiesKey]: 'img',
              entries: [
                entry(now[0]!, { [id]: 'a', v: 1, email: 'a1' }),
                entry(now[1]!, { [id]: 'b', v: 1, email: 'taken' }),
              ],
            },
          },
        ]);
        const result = await restoreCopies(docs, request(copies, ['img']));
        assert.deepEqual([...result.restored], [keyId('a')]);
        assert.equal(result.elements, 2);
        const after = await docs.getMany(['a', 'b', 'c']);
        assert.deepEqual(after.get(keyId('a')), { [id]: 'a', v: 1, email: 'a1' });
        assert.deepEqual(after.get(keyId('b')), now[1], 'the refused restore left the document as it was');
        assert.deepEqual(after.get(keyId('c')), now[2]);
      });

    if (kind !== 'dynamodb')
      test('copies kept as stored text with a text digest alone, one refused by a unique index: none written, all left to the caller', async () => {
        const { docs, copies, id, copiesKey, now } = await uniquePair('unique_text');
        // Every element of the text form only (a stored-text apply's images): key, text digest, text.
        const entry = (doc: JsonObject, original: string): JsonObject => ({
          key: doc[id] as string,
          writtenVersion: 2,
          ...(docs.encode ? { writtenTextDigest: docs.encode(doc).textDigest } : {}),
          docText: original,
        });
        await copies.write([
          {
            type: 'insert',
            doc: {
              [copiesKey]: 'img',
              entries: [
                entry(now[0]!, `{"${id}": "a", "v": 1, "email": "a1"}`),
                entry(now[1]!, `{"${id}":"b","v":1,"email":"taken"}`),
              ],
            },
          },
        ]);
        const result = await restoreCopies(docs, {
          ...request(copies, ['img']),
          docText: 'docText',
          textDigest: 'writtenTextDigest',
        });
        // The store's restore is all or nothing: refused, it writes nothing, and the seam's own
        // path compares content digests only, which these elements lack: all left to the caller
        // (rollback then restores them one by one).
        assert.deepEqual([...result.restored], []);
        assert.equal(result.elements, 2);
        const after = await docs.getMany(['a', 'b', 'c']);
        assert.deepEqual(after.get(keyId('a')), now[0], 'nothing of the refused image was written');
        assert.deepEqual(after.get(keyId('b')), now[1], 'the refused restore left the document as it was');
        assert.deepEqual(after.get(keyId('c')), now[2]);
      });

    if (kind === 'sqlite')
      test('stored text that is not JSON is left for the caller, whose read reports it', async () => {
        const { docs, copies } = await sqliteWithCopies(t);
        const written = { id: 'bad', v: 2 };
        await docs.write([{ type: 'insert', doc: written }]);
        storeRawText(docs, keyId('bad'), '{"v":2,');
        await copies.write([
          {
            type: 'insert',
            doc: {
              id: 'img',
              entries: [{ key: 'bad', doc: { id: 'bad', v: 1 }, writtenDigest: documentDigest(written) }],
            },
          },
        ]);
        const result = await restoreCopies(docs, request(copies, ['img']));
        assert.deepEqual(result, { restored: new Set(), elements: 1 });
        const row = docs.db.prepare(`SELECT doc FROM ${docs.table} WHERE k = ?`).get(keyId('bad'));
        assert.deepEqual(row, { doc: '{"v":2,' }, 'left as stored');
      });
  });
}
