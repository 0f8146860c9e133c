/** `steward init` writes a config the other commands accept, and never overwrites one by accident. */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { runSteward } from '../support/run-steward.js';

test('init writes a starter config that doctor accepts, and refuses to overwrite it', async () => {
  const cwd = mkdtempSync(join(tmpdir(), 'steward-init-'));
  const init = await runSteward(['init'], { cwd });
  assert.equal(init.code, 0, init.stderr);
  assert.match(readFileSync(join(cwd, 'steward.config.ts'), 'utf8'), /defineConfig\(/);

  const doctor = await runSteward(['doctor'], { cwd });
  assert.equal(doctor.code, 0, doctor.stderr);
  assert.match(doctor.stdout, /ok {4}main \(sqlite\): SQLite/);
  assert.match(doctor.stdout, /ledger in "main": not created yet/);

  const again = await runSteward(['init'], { cwd });
  assert.equal(again.code, 2);
  assert.match(again.stderr, /already exists; pass --force/);
  const forced = await runSteward(['init', '--store', 'dynamodb', '--force'], { cwd });
  assert.equal(forced.code, 0);
  assert.match(readFileSync(join(cwd, 'steward.config.ts'), 'utf8'), /kind: 'dynamodb'/);
  const wrong = await runSteward(['init', '--store', 'postgres', '--force'], { cwd });
  assert.equal(wrong.code, 2);
});
