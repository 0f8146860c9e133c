/**
 * `formatCount` groups digits itself (no ICU): it must print what `toLocaleString('en-US')` prints
 * for every whole number it formats, and "0" for a negative fraction rounded to zero.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { formatCount } from '../../src/core/format-count.js';

test('formatCount prints counts as en-US does, at every length and sign', () => {
  for (const n of [0, 7, 999, 1000, 12345, 123456, 1234567, -1, -1000, -987654, 2 ** 53 - 1])
    assert.equal(formatCount(n), n.toLocaleString('en-US'), String(n));
  fc.assert(
    fc.property(fc.double({ min: -1e16, max: 1e16, noNaN: true }), (n) => {
      const whole = Math.round(n);
      if (Object.is(whole, -0)) return formatCount(n) === '0';
      return formatCount(n) === whole.toLocaleString('en-US');
    }),
    { numRuns: 2000 },
  );
  assert.equal(formatCount(-0.3), '0');
  assert.equal(formatCount(1e22), (1e22).toLocaleString('en-US'), 'past safe integers, as before');
});
