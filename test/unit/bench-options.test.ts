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
    mongoBatch: 50,
    targetPad: 0,
  });
  const sqlite = parseBenchOptions(['baseline-write', '--rounds', '3', '--keep']);
  assert.ok(sqlite !== 'list');
  assert.equal(sqlite.batch, 5000);
  assert.equal(sqlite.rounds, 3);
  assert.equal(sqlite.keep, true);
  assert.equal(parseBenchOptions(['--list']), 'list');
  const padded = parseBenchOptions(['refs-scan', '--target-pad', '4_000']);
  assert.ok(padded !== 'list');
  assert.equal(padded.targetPad, 4000);
  assert.throws(
    () => parseBenchOptions(['refs-scan', '--target-pad', 'lots']),
    /--target-pad must be a whole number/,
  );
});

test("bench options: a scenario's own defaults for --docs and --batch, flags still win", () => {
  const defaults = { docs: 2000, batch: 500 };
  const own = parseBenchOptions(['migrate-mongo-side-by-side', '--store', 'mongodb'], defaults);
  assert.ok(own !== 'list');
  assert.deepEqual([own.docs, own.batch, own.mongoBatch], [2000, 500, 50]);
  const given = parseBenchOptions(
    [
      'migrate-mongo-side-by-side',
      '--store',
      'mongodb',
      '--docs',
      '500',
      '--batch',
      '100',
      '--mongo-batch',
      '1000',
    ],
    defaults,
  );
  assert.ok(given !== 'list');
  assert.deepEqual([given.docs, given.batch, given.mongoBatch], [500, 100, 1000]);
  const plain = parseBenchOptions(['seam-scan']);
  assert.ok(plain !== 'list');
  assert.equal(plain.docs, 100_000);
});

test('bench options: mistakes are usage errors that say what to fix', () => {
  for (const [argv, fragment] of [
    [[], 'name exactly one scenario'],
    [['a', 'b'], 'name exactly one scenario'],
    [['seam-scan', '--store', 'postgres'], '--store must be one of sqlite, mongodb, dynamodb'],
    [['seam-scan', '--docs', '0'], '--docs must be a whole number above 0'],
    [['seam-scan', '--batch', 'x'], '--batch must be a whole number above 0'],
    [['seam-scan', '--mongo-batch', '0'], '--mongo-batch must be a whole number above 0'],
  ] as const) {
    assert.throws(
      () => parseBenchOptions(argv),
      (e) => isStewardError(e, 'usage') && e.message.includes(fragment),
      argv.join(' '),
    );
  }
});
