/**
 * The exit-code table: every row (test/cli/exit-code-cases/*.ts) runs the built CLI as a user
 * would and must end with its exit code and a clear line, no stack trace and no "internal error".
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { stewardBin } from '../support/run-steward.js';
import type { ExitCodeCase } from './exit-code-case.js';

const casesDir = join(import.meta.dirname, 'exit-code-cases');
const files = readdirSync(casesDir)
  .filter((f) => f.endsWith('.ts'))
  .sort();
const tables = await Promise.all(
  files.map(async (f) => ({
    area: f.replace(/\.ts$/, ''),
    cases: ((await import(pathToFileURL(join(casesDir, f)).href)) as { cases: ExitCodeCase[] }).cases,
  })),
);

function run(c: ExitCodeCase, dir: string): Promise<{ code: number; stderr: string; ms: number }> {
  const args = typeof c.args === 'function' ? c.args(dir) : c.args;
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [stewardBin, ...args], {
      cwd: dir,
      env: { ...process.env, ...c.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stdout.resume();
    child.stderr.on('data', (b) => {
      stderr += b;
    });
    const term =
      c.sigtermAfterMs === undefined ? undefined : setTimeout(() => child.kill('SIGTERM'), c.sigtermAfterMs);
    const limit = setTimeout(() => child.kill('SIGKILL'), c.timeoutMs ?? 60_000);
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      clearTimeout(limit);
      if (term) clearTimeout(term);
      resolve({ code: code ?? (signal === 'SIGKILL' ? -9 : 128), stderr, ms: Date.now() - started });
    });
  });
}

test('the exit-code table has rows', () => {
  assert.ok(
    tables.some((t) => t.cases.length > 0),
    `no rows in ${casesDir}`,
  );
});

for (const table of tables) {
  describe(`exit codes: ${table.area}`, () => {
    for (const c of table.cases) {
      test(c.name, async () => {
        const dir = mkdtempSync(join(tmpdir(), 'steward-exit-'));
        await c.prepare?.(dir);
        const result = await run(c, dir);
        assert.notEqual(
          result.code,
          -9,
          `did not end within ${c.timeoutMs ?? 60_000} ms; stderr: ${result.stderr}`,
        );
        assert.equal(result.code, c.code, `exit code; stderr: ${result.stderr}`);
        assert.match(result.stderr, c.stderr);
        assert.doesNotMatch(result.stderr, /\n\s+at /, 'no stack trace');
        assert.doesNotMatch(result.stderr, /internal error/i);
        await c.after?.(dir);
      });
    }
  });
}
