/**
 * How many keys a re-read of sources sends down as one `$in`: many where an index starts with the
 * link field (each key is a lookup), few where none does (every `$in` is a scan anyway).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { maxInValues } from '../../src/derived/source-values.js';
import { openTestStore, selectedKinds } from '../support/test-stores.js';

for (const kind of selectedKinds()) {
  test(`on ${kind}, an index on the link field lets long key lists go down as $in`, async () => {
    const t = await openTestStore(kind);
    try {
      const spec = t.spec('lookup_tasks');
      await t.store.ensureCollection(spec);
      const plain = await maxInValues(t.store.collection(spec), 'caseId');
      assert.equal(plain, 16);
      if (!t.store.capabilities.secondaryIndexes) return;
      await t.store.collection(spec).createIndex({ name: 'by_case', fields: ['caseId'] });
      assert.equal(await maxInValues(t.store.collection(spec), 'caseId'), 1000);
      assert.equal(await maxInValues(t.store.collection(spec), 'status'), 16, 'only the indexed field');
    } finally {
      await t.cleanup();
    }
  });
}
