/**
 * Issue 15's bar, in the suite's short form: over 10,000 generated schema pairs (fast-check,
 * fixed seed) no change steward calls compatible lets a document valid for the writer fail the
 * reader (Ajv decides), every finding names a rules-table row that breaks its direction, and
 * every example document is valid for the writer and invalid for the reader.
 * `npm run fuzz -- compatibility` runs the same property over 1,000,000 pairs.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runNoFalsePass } from '../../fuzz/compatibility-target.js';

test('no false pass over 10,000 generated schema pairs', () => {
  const started = Date.now();
  const figures = runNoFalsePass(10_000, 20_261_205);
  assert.equal(figures.pairs, 10_000);
  assert.ok(
    figures.passes > 5_000,
    `only ${figures.passes} compatible verdicts: the generator lost its reach`,
  );
  assert.ok(figures.documents > 50_000, `only ${figures.documents} documents checked`);
  console.log(`no-false-pass: ${JSON.stringify(figures)} in ${Date.now() - started} ms`);
});
