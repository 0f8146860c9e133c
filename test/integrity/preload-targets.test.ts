/** When a scan reads a small target's keys up front instead of looking them up batch by batch. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { KnownKeys } from '../../src/integrity/scan/known-keys.js';
import { preloadTargets } from '../../src/integrity/scan/preload-targets.js';
import { openTestStore } from '../support/test-stores.js';

test('a target a quarter of the source or less is read up front; a larger one is not', async () => {
  const t = await openTestStore('sqlite');
  try {
    const source = t.store.collection(t.spec('preload_sources'));
    const target = t.store.collection(t.spec('preload_targets'));
    for (const c of [source, target]) await t.store.ensureCollection(c.spec);
    const key = target.spec.keyField;
    await target.write(Array.from({ length: 10 }, (_, i) => ({ type: 'insert', doc: { [key]: `t${i}` } })));
    const sources = (n: number, from = 0) =>
      Array.from({ length: n }, (_, i) => ({
        type: 'insert' as const,
        doc: { [key]: `s${from + i}`, ref: 't1' },
      }));
    await source.write(sources(39));
    assert.equal(
      await preloadTargets(source, target, new KnownKeys()),
      0,
      '39 sources: looked up as it goes',
    );
    await source.write(sources(1, 39));
    const known = new KnownKeys();
    assert.equal(await preloadTargets(source, target, known), 10);
    assert.ok(known.has('t9') && !known.has('t10'));
    assert.equal(await preloadTargets(source, target, new KnownKeys(19)), 0, 'more than half the capacity');
  } finally {
    await t.cleanup();
  }
});
