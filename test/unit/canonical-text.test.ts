/**
 * `canonicalText` is what every per-document digest hashes (checksums, apply's images, rollback's
 * checks), so it must give `canonicalJson`'s text whatever order it meets fields in, including
 * the orders it remembers from the documents before (issue 17, fourth pass).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { canonicalJson, type JsonObject } from '../../src/core/json.js';
import { canonicalText } from '../../src/migrations/json-values.js';

describe('canonicalText', () => {
  test('equals canonicalJson for documents met in changing field orders, nested ones too', () => {
    const docs: JsonObject[] = [
      { id: 'a', v: 1, title: 't', status: 'open' },
      { id: 'b', v: 1, title: 't', status: 'open' },
      // Same names, another order; then other names of the same count.
      { status: 'done', title: 'u', id: 'c', v: 2 },
      { id: 'd', v: 1, title: 't', zeta: 'z' },
      { id: 'e', v: 1, title: 't', status: 'open' },
      // A nested object of the same length as its parent, in another order, and arrays of objects.
      {
        z: { d: 1, c: 2, b: 3, a: 4 },
        y: 1,
        x: [
          { q: 1, p: 2 },
          { p: 3, q: 4 },
        ],
        w: null,
      },
      { y: 1, z: { a: 4, b: 3, c: 2, d: 1 }, x: [], w: 'w' },
      { b: 1, a: 2, c: undefined } as unknown as JsonObject,
      { é: 1, e: 2, E: 3, '': 4, '10': 5, '9': 6 },
    ];
    for (let round = 0; round < 3; round++)
      for (const doc of docs) assert.equal(canonicalText(doc), canonicalJson(doc), JSON.stringify(doc));
  });

  test('does not reorder the document it is given', () => {
    const doc: JsonObject = { b: 1, a: 2 };
    canonicalText(doc);
    canonicalText({ b: 3, a: 4 });
    assert.deepEqual(Object.keys(doc), ['b', 'a']);
  });
});
