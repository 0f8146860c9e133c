/** Conformance: `existingKeys` says which keys exist, alike on every store, without the documents. */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { isStewardError } from '../../src/errors/steward-error.js';
import { type CollectionSpec, keyId } from '../../src/stores/store.js';
import { openTestStore, selectedKinds, type TestStore } from '../support/test-stores.js';

for (const kind of selectedKinds()) {
  describe(`existingKeys on ${kind}`, () => {
    let t: TestStore;
    before(async () => {
      t = await openTestStore(kind);
    });
    after(async () => t.cleanup());

    test('answers the keyIds of the keys that exist, as getMany would', async () => {
      const spec = t.spec('exist');
      await t.store.ensureCollection(spec);
      const c = t.store.collection(spec);
      const docs = Array.from({ length: 230 }, (_, i) => ({
        [spec.keyField]: `k${i}`,
        n: i,
        pad: 'x'.repeat(50),
      }));
      await c.write(docs.map((doc) => ({ type: 'insert', doc })));
      const asked = ['k0', 'k7', 'k229', 'absent', 'k7', ...docs.map((_, i) => `k${i}`).slice(100, 200)];
      const found = await c.existingKeys(asked);
      const expected = new Set([...(await c.getMany(asked)).keys()]);
      assert.equal(found.size, 103);
      assert.deepEqual(found, expected);
      assert.equal(found.has(keyId('absent')), false);
    });

    test('one key, and no key, are answered too', async () => {
      const spec = t.spec('single');
      await t.store.ensureCollection(spec);
      const c = t.store.collection(spec);
      await c.write([{ type: 'insert', doc: { [spec.keyField]: 'only', v: 1 } }]);
      assert.deepEqual(await c.existingKeys(['only']), new Set([keyId('only')]));
      assert.deepEqual(await c.existingKeys(['other']), new Set());
      assert.deepEqual(await c.existingKeys([]), new Set());
    });

    test('keeps 1 and "1" apart where keys of both types can exist', async () => {
      if (kind === 'dynamodb') {
        // A DynamoDB partition key has one type per table: the other type is simply absent.
        const spec = t.spec('types');
        await t.store.ensureCollection(spec);
        const c = t.store.collection(spec);
        await c.write([{ type: 'insert', doc: { [spec.keyField]: '1' } }]);
        assert.deepEqual(await c.existingKeys([1, '1']), new Set([keyId('1')]));
        return;
      }
      const spec = t.spec('types');
      await t.store.ensureCollection(spec);
      const c = t.store.collection(spec);
      await c.write([
        { type: 'insert', doc: { [spec.keyField]: 1 } },
        { type: 'insert', doc: { [spec.keyField]: 'two' } },
      ]);
      assert.deepEqual(await c.existingKeys([1, '1', 2, 'two']), new Set([keyId(1), keyId('two')]));
    });

    test('a missing collection is collection.not-found', async () => {
      const spec = t.spec('never-made');
      await assert.rejects(
        () => t.store.collection(spec).existingKeys(['a']),
        (e) => isStewardError(e, 'collection.not-found'),
      );
    });

    if (kind === 'dynamodb') {
      test('in a shared table, only items of the collection’s entity count', async () => {
        const table = t.spec('shared');
        const entity = (value: string): CollectionSpec => ({
          name: `${table.name}_${value}`,
          keyField: 'id',
          dynamodb: { table: table.name, discriminator: { name: 'kind', value } },
        });
        await t.store.ensureCollection(entity('a'));
        const a = t.store.collection(entity('a'));
        const b = t.store.collection(entity('b'));
        await a.write([{ type: 'insert', doc: { id: 'x', v: 1 } }]);
        await b.write([{ type: 'insert', doc: { id: 'y', v: 2 } }]);
        assert.deepEqual(await a.existingKeys(['x', 'y']), new Set([keyId('x')]));
        assert.deepEqual(await b.existingKeys(['x', 'y']), new Set([keyId('y')]));
        const prefixed = t.store.collection({
          name: `${table.name}_p`,
          keyField: 'id',
          dynamodb: { table: table.name, keyPrefix: 'P#', discriminator: { name: 'kind', value: 'p' } },
        });
        await prefixed.write([{ type: 'insert', doc: { id: 'x', v: 3 } }]);
        assert.deepEqual(await prefixed.existingKeys(['x', 'y']), new Set([keyId('x')]));
      });
    }
  });
}
