/**
 * Conformance: secondary indexes through the seam. Where `capabilities.secondaryIndexes` is true,
 * createIndex and dropIndex are idempotent and listIndexes reports what they made; where it is
 * false (DynamoDB), both refuse with `store.unsupported`, naming the collection.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { parseFilter } from '../../src/core/filter.js';
import { isStewardError } from '../../src/errors/steward-error.js';
import type { Collection, IndexInfo } from '../../src/stores/store.js';
import { readAll } from '../support/read-all.js';
import { openTestStore, selectedKinds, type TestStore } from '../support/test-stores.js';

const named = (indexes: IndexInfo[], name: string) => indexes.find((i) => i.name === name);

for (const kind of selectedKinds()) {
  describe(`indexes on ${kind}`, () => {
    let t: TestStore;
    before(async () => {
      t = await openTestStore(kind);
    });
    after(async () => t.cleanup());

    async function filled(name: string): Promise<Collection> {
      const spec = t.spec(name);
      await t.store.ensureCollection(spec);
      const c = t.store.collection(spec);
      const docs = Array.from({ length: 40 }, (_, i) => ({
        [spec.keyField]: `d${i}`,
        status: i % 2 === 0 ? 'open' : 'closed',
        owner: { team: `t${i % 4}` },
        email: `u${i}@example.com`,
      }));
      await c.write(docs.map((doc) => ({ type: 'insert', doc })));
      return c;
    }

    if (!makesIndexes(kind)) {
      test('createIndex and dropIndex refuse with store.unsupported, naming the collection', async () => {
        const c = await filled('refused');
        assert.equal(t.store.capabilities.secondaryIndexes, false);
        for (const attempt of [
          () => c.createIndex({ name: 'by_status', fields: ['status'] }),
          () => c.dropIndex('by_status'),
        ]) {
          await assert.rejects(
            attempt,
            (e) =>
              isStewardError(e, 'store.unsupported') &&
              e.message.includes(c.spec.name) &&
              /global secondary index/.test(e.message),
          );
        }
      });
      return;
    }

    test('createIndex makes an index listIndexes reports, dotted fields included; again is a no-op', async () => {
      const c = await filled('create');
      assert.equal(t.store.capabilities.secondaryIndexes, true);
      await c.createIndex({ name: 'by_status', fields: ['status', 'owner.team'] });
      await c.createIndex({ name: 'by_email', fields: ['email'], unique: true });
      await c.createIndex({ name: 'by_status', fields: ['status', 'owner.team'] });
      const indexes = await c.listIndexes();
      assert.deepEqual(named(indexes, 'by_status'), {
        name: 'by_status',
        fields: ['status', 'owner.team'],
        unique: false,
      });
      assert.deepEqual(named(indexes, 'by_email'), { name: 'by_email', fields: ['email'], unique: true });
      assert.equal(indexes.filter((i) => i.name === 'by_status').length, 1);
      const open = await readAll(c, { filter: parseFilter({ status: 'open', 'owner.team': 't2' }) });
      assert.equal(open.length, 10, 'filters on indexed fields still answer the same');
    });

    test('a unique index refuses a second document with the same value', async () => {
      const c = await filled('unique');
      await c.createIndex({ name: 'by_email', fields: ['email'], unique: true });
      // The refused write fails alone; the other operations of the batch go in. It fails, not
      // `exists`: its key is free, another unique index refused it (FerretDB's duplicate key error
      // names no index, so the MongoDB adapter looks the key up to tell).
      const [dup, fresh, taken] = await c.write([
        { type: 'insert', doc: { [c.spec.keyField]: 'dup', email: 'u1@example.com' } },
        { type: 'insert', doc: { [c.spec.keyField]: 'fresh', email: 'new@example.com' } },
        { type: 'insert', doc: { [c.spec.keyField]: 'd1', email: 'other@example.com' } },
      ]);
      assert.equal(dup?.status, 'failed');
      assert.equal(taken?.status, 'exists', 'a taken key is still `exists`');
      assert.equal(fresh?.status, 'ok');
      assert.equal((await c.getMany(['fresh'])).size, 1);
      assert.equal((await c.getMany(['dup'])).size, 0);
    });

    test('the same name with another definition is input.invalid, and the index is left alone', async () => {
      const c = await filled('conflict');
      await c.createIndex({ name: 'by_status', fields: ['status'] });
      await assert.rejects(
        () => c.createIndex({ name: 'by_status', fields: ['email'] }),
        (e) => isStewardError(e, 'input.invalid') && e.message.includes('by_status'),
      );
      await assert.rejects(
        () => c.createIndex({ name: 'by_status', fields: ['status'], unique: true }),
        (e) => isStewardError(e, 'input.invalid'),
      );
      assert.deepEqual(named(await c.listIndexes(), 'by_status')?.fields, ['status']);
    });

    test('dropIndex removes it; dropping a missing index is a no-op', async () => {
      const c = await filled('drop');
      await c.createIndex({ name: 'by_status', fields: ['status'] });
      await c.dropIndex('by_status');
      assert.equal(named(await c.listIndexes(), 'by_status'), undefined);
      await c.dropIndex('by_status');
      await c.dropIndex('never_made');
      assert.ok(
        (await c.listIndexes()).some((i) => i.unique),
        'the primary index stays',
      );
    });

    test('two collections may each have an index of the same name', async () => {
      const a = await filled('same-a');
      const b = await filled('same-b');
      await a.createIndex({ name: 'by_status', fields: ['status'] });
      await b.createIndex({ name: 'by_status', fields: ['email'] });
      assert.deepEqual(named(await a.listIndexes(), 'by_status')?.fields, ['status']);
      assert.deepEqual(named(await b.listIndexes(), 'by_status')?.fields, ['email']);
      await a.dropIndex('by_status');
      assert.deepEqual(named(await b.listIndexes(), 'by_status')?.fields, ['email']);
    });

    test('on a missing collection both are collection.not-found', async () => {
      const c = t.store.collection(t.spec('never-made'));
      await assert.rejects(
        () => c.createIndex({ name: 'x', fields: ['a'] }),
        (e) => isStewardError(e, 'collection.not-found'),
      );
      await assert.rejects(
        () => c.dropIndex('x'),
        (e) => isStewardError(e, 'collection.not-found'),
      );
    });
  });
}

/** Whether the store kind makes indexes; needed before the store is opened, when tests are declared. */
function makesIndexes(kind: string): boolean {
  return kind !== 'dynamodb';
}
