/**
 * `npm test` on a machine without Go, Java or Maven says what to install before it builds
 * anything, instead of failing deep in a build step.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

const root = join(import.meta.dirname, '../..');

test('npm test names every missing toolchain and its Debian package, exit 2', () => {
  const bin = mkdtempSync(join(tmpdir(), 'steward-bin-'));
  symlinkSync(process.execPath, join(bin, 'node'));
  const env: NodeJS.ProcessEnv = {
    PATH: bin,
    HOME: process.env.HOME,
    STEWARD_CACHE_DIR: mkdtempSync(join(tmpdir(), 'steward-cache-')),
  };
  const run = spawnSync(process.execPath, [join(root, 'scripts/test.mjs'), 'test/unit/config.test.ts'], {
    cwd: root,
    env,
    encoding: 'utf8',
  });
  assert.equal(run.status, 2, run.stderr);
  assert.match(run.stderr, /Go, to build FerretDB .*apt-get install golang-go/);
  assert.match(run.stderr, /Java 17, to run DynamoDB Local .*openjdk-17-jre-headless/);
  assert.match(run.stderr, /Maven, to fetch DynamoDB Local .*apt-get install maven/);
  assert.doesNotMatch(run.stderr, /\n\s+at /, 'no stack trace');
});
