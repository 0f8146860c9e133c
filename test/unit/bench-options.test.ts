import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseBenchOptions } from '../../bench/bench-options.js';
import { isStewardError } from '../../src/errors/steward-error.js';

test('bench options: defaults by store, numbers with separators, --list', () => {
  assert.deepEqual(parseBenchOptions(['seam-scan', '--store', 'mongodb', '--docs', '100_000']), {
    scenario: 'seam-scan',
    store: 'mongodb',
    docs: 100000,
    batch: 1000,
    seed: 'bench',
    rounds: 1,
    keep: false,
  });
  const sqlite = parseBenchOptions(['baseline-write', '--rounds', '3', '--keep']);
  assert.ok(sqlite !== 'list');
  assert.equal(sqlite.batch, 5000);
  assert.equal(sqlite.rounds, 3);
  assert.equal(sqlite.keep, true);
  assert.equal(parseBenchOptions(['--list']), 'list');
});

test('bench options: mistakes are usage errors that say what to fix', () => {
  for (const [argv, fragment] of [
    [[], 'name exactly one scenario'],
    [['a', 'b'], 'name exactly one scenario'],
    [['seam-scan', '--store', 'postgres'], '--store must be one of sqlite, mongodb, dynamodb'],
    [['seam-scan', '--docs', '0'], '--docs must be a whole number above 0'],
    [['seam-scan', '--batch', 'x'], '--batch must be a whole number above 0'],
  ] as const) {
    assert.throws(
      () => parseBenchOptions(argv),
      (e) => isStewardError(e, 'usage') && e.message.includes(fragment),
      argv.join(' '),
    );
  }
});
