/**
 * `Collection.getTexts` (issue 17, tenth pass): where the store keeps documents as text (SQLite),
 * the stored texts of the keys asked for, byte for byte, missing keys absent; its statement is its
 * own, so `getMany` still gives objects after it (better-sqlite3 shares prepared statements by
 * text, and array mode changes one for good). Other stores keep no text and have none.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { JsonObject } from '../../src/core/json.js';
import { keyId } from '../../src/stores/store.js';
import { openTestStore, selectedKinds, type TestStore } from '../support/test-stores.js';

for (const kind of selectedKinds()) {
  describe(`stored texts by key on ${kind}`, () => {
    let t: TestStore;
    before(async () => {
      t = await openTestStore(kind);
    });
    after(async () => t.cleanup());

    test('the texts as stored, missing keys absent; getMany unchanged beside it', async () => {
      const spec = t.spec('texts');
      await t.store.ensureCollection(spec);
      const c = t.store.collection(spec);
      assert.equal(c.getTexts !== undefined, kind === 'sqlite');
      if (!c.getTexts || !c.encode) return;
      const doc: JsonObject = { [spec.keyField]: 'a', name: 'Ren\u00e9', n: 1 };
      const text = `{\n  "name": "Ren\\u00e9",\r\n\t"n": 1.0, ${JSON.stringify(spec.keyField)}: "a"\n}`;
      await c.write([
        { type: 'insert', doc, encoded: c.encode(doc, text) },
        { type: 'insert', doc: { [spec.keyField]: 7, v: 1 } },
      ]);
      const texts = await c.getTexts(['a', 7, 'missing']);
      const expected = [
        [keyId('a'), text],
        [keyId(7), JSON.stringify({ [spec.keyField]: 7, v: 1 })],
      ] as const;
      assert.deepEqual(new Map(texts), new Map(expected));
      const docs = await c.getMany(['a', 7]);
      assert.deepEqual(docs.get(keyId('a')), doc);
      assert.deepEqual((await c.getTexts(['a'])).get(keyId('a')), text);
    });
  });
}
