/**
 * The progress line's text, without a terminal: done/total with "~" for an estimate, the rate and
 * ETA of the current phase only, thousands separators, and what the Output writes where.
 */
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { describe, test } from 'node:test';
import { Output } from '../../src/cli/output.js';
import { ProgressLine } from '../../src/cli/progress-line.js';
import { formatCount, formatEta } from '../../src/core/format-count.js';

describe('progress line', () => {
  test('shows done of an estimated total, the rate since the phase began and the ETA', () => {
    const line = new ProgressLine();
    assert.equal(line.update('scan', 0, 120_000, true, 1000).text, `scan  [${'.'.repeat(24)}]  0/~120,000`);
    const { text } = line.update('scan', 30_000, 120_000, true, 4000);
    assert.equal(text, `scan  [${'#'.repeat(6)}${'.'.repeat(18)}]  30,000/~120,000  10,000/s  ETA 9s`);
    assert.equal(line.complete(), false);
  });

  test('a new phase starts its own rate and hands back the last line of the one before', () => {
    const line = new ProgressLine();
    line.update('canary', 0, 10, false, 0);
    line.update('canary', 10, 10, false, 1000);
    assert.equal(line.complete(), true);
    const next = line.update('rest', 500, undefined, false, 5000);
    assert.equal(next.started, true);
    assert.match(next.finished ?? '', /^canary {2}\[#{24}\] {2}10\/10 {2}10\/s$/);
    assert.equal(next.text, 'rest  500');
    assert.equal(line.update('rest', 1500, undefined, false, 6000).text, 'rest  1,500  1,000/s');
  });

  test('one number format: thousands separators; ETAs in s, m and h', () => {
    assert.equal(formatCount(1234567.4), '1,234,567');
    assert.deepEqual([formatEta(42), formatEta(185), formatEta(3725)], ['42s', '3m 05s', '1h 02m']);
  });

  test('draws only on a terminal and never with --json', () => {
    const draw = (isTTY: boolean, json: boolean) => {
      const stderr = Object.assign(new PassThrough(), { isTTY });
      let written = '';
      stderr.on('data', (b) => {
        written += b;
      });
      const output = new Output(json, new PassThrough(), stderr);
      output.progress('scan', 5, 10);
      output.tick({ type: 'progress', phase: 'x', done: 1, total: 2, estimated: true });
      return written;
    };
    assert.equal(draw(false, false), '');
    assert.equal(draw(true, true), '');
    const shown = draw(true, false);
    assert.match(shown, /\rscan {2}\[#{12}\.{12}\] {2}5\/10/);
    assert.match(shown, /\r {2}x {2}\[#{12}\.{12}\] {2}1\/~2/);
  });
});
