/** The CLI loads only the driver of the store it uses: a SQLite user never loads MongoDB or the AWS SDK. */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

const fixture = join(import.meta.dirname, '../fixtures/loaded-drivers.mjs');
const runCliPath = join(import.meta.dirname, '../../dist/cli/run-cli.js');

function driversLoaded(args: string[]): { code: number; drivers: string[] } {
  const cwd = mkdtempSync(join(tmpdir(), 'steward-lazy-'));
  const out = execFileSync(process.execPath, [fixture, runCliPath, ...args], { cwd, encoding: 'utf8' });
  return JSON.parse(out.trim().split('\n').at(-1) ?? '{}');
}

test('help loads no driver at all', () => {
  assert.deepEqual(driversLoaded(['--help']), { code: 0, drivers: [] });
});

test('the SQLite demo loads only better-sqlite3', () => {
  assert.deepEqual(driversLoaded(['demo', '--docs', '300']), { code: 0, drivers: ['better-sqlite3'] });
});
