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

test('an extra MongoDB-wire target asked for names what it needs too; an unknown one is exit 2', () => {
  const bin = mkdtempSync(join(tmpdir(), 'steward-bin-'));
  symlinkSync(process.execPath, join(bin, 'node'));
  const env: NodeJS.ProcessEnv = {
    PATH: bin,
    HOME: process.env.HOME,
    STEWARD_CACHE_DIR: mkdtempSync(join(tmpdir(), 'steward-cache-')),
    STEWARD_TEST_STORES: 'sqlite',
    STEWARD_TEST_EXTRA_TARGETS: 'mongo-java-server',
  };
  const script = join(root, 'scripts/test.mjs');
  const run = spawnSync(process.execPath, [script, 'test/conformance/documents.test.ts'], {
    cwd: root,
    env,
    encoding: 'utf8',
  });
  assert.equal(run.status, 2, run.stderr);
  assert.match(run.stderr, /Java 17, to run mongo-java-server .*openjdk-17-jre-headless/);
  assert.match(run.stderr, /Maven, to fetch mongo-java-server .*apt-get install maven/);
  assert.match(
    run.stderr,
    /Java 17 compiler, to build the mongo-java-server launcher .*openjdk-17-jdk-headless/,
  );
  assert.doesNotMatch(run.stderr, /\n\s+at /, 'no stack trace');

  const unknown = spawnSync(process.execPath, [script, 'test/conformance/documents.test.ts'], {
    cwd: root,
    env: { ...env, STEWARD_TEST_EXTRA_TARGETS: 'mongodb-9' },
    encoding: 'utf8',
  });
  assert.equal(unknown.status, 2, unknown.stderr);
  assert.match(unknown.stderr, /STEWARD_TEST_EXTRA_TARGETS names unknown target "mongodb-9"/);
});
