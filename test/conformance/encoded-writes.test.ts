/**
 * `Collection.encode` and the `encoded` of a write (issue 17, fifth pass): where the store keeps
 * text as written (SQLite), a write carrying `encode(doc)` stores exactly that text, so the text
 * digest a caller keeps from the same encoding is the digest of what is stored, even when `doc`
 * changed after it was encoded. Other stores have no `encode` and write `doc` as ever.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { storedTextDigest } from '../../src/core/hash.js';
import type { JsonObject } from '../../src/core/json.js';
import { keyId } from '../../src/stores/store.js';
import { sqliteStoredText } from '../support/sqlite-stored-text.js';
import { openTestStore, selectedKinds, type TestStore } from '../support/test-stores.js';

for (const kind of selectedKinds()) {
  describe(`encoded writes on ${kind}`, () => {
    let t: TestStore;
    before(async () => {
      t = await openTestStore(kind);
    });
    after(async () => t.cleanup());

    test('a write carrying encode(doc) stores the encoded text, whose digest is the one kept', async () => {
      const spec = t.spec('encoded');
      await t.store.ensureCollection(spec);
      const c = t.store.collection(spec);
      const id = spec.keyField;
      // SQLite keeps text as written, so it encodes; MongoDB and DynamoDB re-encode what they get.
      assert.equal(c.encode !== undefined, kind === 'sqlite');
      const doc = (key: string, v: number): JsonObject => ({ [id]: key, v, title: 'as encoded' });
      const inserted = doc('ins', 1);
      const replaced = doc('rep', 2);
      const upserted = doc('ups', 1);
      await c.write([{ type: 'insert', doc: doc('rep', 1) }]);
      if (!c.encode) {
        // Other stores ignore `encoded` (none of theirs exists): `doc` is what they write.
        const ignored = { text: '{"ignored":true}', textDigest: 'x' };
        const results = await c.write([
          { type: 'insert', doc: inserted, encoded: ignored },
          { type: 'replace', doc: replaced, encoded: ignored, expect: { field: 'v', value: 1 } },
        ]);
        assert.deepEqual(results, [{ status: 'ok' }, { status: 'ok' }]);
        const stored = await c.getMany(['ins', 'rep']);
        assert.deepEqual(stored.get(keyId('ins')), inserted);
        assert.deepEqual(stored.get(keyId('rep')), replaced);
        return;
      }
      const encoded = [inserted, replaced, upserted].map((d) => c.encode!(d));
      assert.ok(Object.isFrozen(encoded[0]), 'an encoding cannot be paired with another digest');
      assert.equal(encoded[0]!.textDigest, storedTextDigest(encoded[0]!.text), 'the digest is of the text');
      assert.equal(c.encode!(doc('ins', 1)).textDigest, encoded[0]!.textDigest, 'equal text, equal digest');
      // Each document changes after it was encoded, before the write: the write stores the text
      // as encoded, never a second serialization of the changed document.
      for (const d of [inserted, replaced, upserted]) d.title = 'changed after encode';
      const results = await c.write([
        { type: 'insert', doc: inserted, encoded: encoded[0]! },
        { type: 'replace', doc: replaced, encoded: encoded[1]!, expect: { field: 'v', value: 1 } },
        { type: 'replace', doc: upserted, encoded: encoded[2]!, upsert: true },
      ]);
      assert.deepEqual(results, [{ status: 'ok' }, { status: 'ok' }, { status: 'ok' }]);
      for (const [i, key] of ['ins', 'rep', 'ups'].entries()) {
        const text = sqliteStoredText(t.config, spec, key);
        assert.equal(text, encoded[i]!.text, `${key}: the stored text is the encoded text`);
        assert.equal(
          storedTextDigest(text!),
          encoded[i]!.textDigest,
          `${key}: the kept digest is the stored text's`,
        );
      }
      const stored = await c.getMany(['ins']);
      assert.equal(stored.get(keyId('ins'))?.title, 'as encoded');
    });
  });
}
