/**
 * `keyFraction` decides which documents are in a canary, a sample or a segment, on every run and
 * every machine: a resumed apply must draw the same canary as the run it resumes. Issue 17's
 * fourth pass made it hash the seed once per seed instead of building `${seed}\u0000${key}` per
 * call; these values were computed by the implementation before that change (b170734).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { keyFraction } from '../../src/core/hash.js';

const seed = '9f2c'.repeat(16);
const before: readonly [string | number, string | undefined, number][] = [
  ['s:task-0000001', seed, 0.8555679072160274],
  ['n:42', seed, 0.511355436174199],
  ['o:65f0c0ffee00000000000001', seed, 0.24905465822666883],
  ['s:é\u0000x', seed, 0.6413580912631005],
  [7, undefined, 0.4438813761807978],
  ['x', undefined, 0.2015099402051419],
];

test('keyFraction gives the values it gave before, whatever seed was asked last', () => {
  for (let round = 0; round < 2; round++)
    for (const [key, keySeed, expected] of before) assert.equal(keyFraction(key, keySeed), expected);
  for (const [key, keySeed, expected] of [...before].reverse())
    assert.equal(keyFraction(key, keySeed), expected);
});
