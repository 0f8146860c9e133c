/**
 * `loadMigrations` gives an unchanged folder (same file names, same bytes) its last load, so
 * `steward serve` does not transpile every migration on each migration-status request, and
 * loads again when a file changes.
 */
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { writeExampleMigration } from '../../src/example/example-migrations.js';
import { loadMigrations } from '../../src/migrations/load-migrations.js';

test('an unchanged migrations folder is loaded once; a changed file is loaded again', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'steward-migrations-'));
  try {
    const file = writeExampleMigration(dir);
    const [first] = await loadMigrations(dir);
    const [again] = await loadMigrations(dir);
    assert.ok(first && again);
    assert.equal(again, first, 'the same loaded migration, not imported again');
    appendFileSync(file, '\n// edited\n');
    const [edited] = await loadMigrations(dir);
    assert.notEqual(edited, first);
    assert.notEqual(edited!.checksum, first.checksum, 'the edit is seen');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
