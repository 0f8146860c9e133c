/**
 * Bad input gets one clear line, the right exit code, no stack trace and nothing written. These
 * run the built CLI as a user would.
 */
import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { projectWithConfig, runSteward, type StewardRun } from '../support/run-steward.js';

function assertUserError(run: StewardRun, code: number, fragment: string | RegExp): void {
  assert.equal(run.code, code, `exit code; stderr: ${run.stderr}`);
  assert.match(run.stderr, typeof fragment === 'string' ? new RegExp(escapeRegExp(fragment)) : fragment);
  assert.doesNotMatch(run.stderr, /\n\s+at /, 'no stack trace');
  assert.doesNotMatch(run.stderr, /internal error/);
}
const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

const sqliteProject = () =>
  projectWithConfig(
    `{ stores: { main: { kind: 'sqlite', file: 'data/app.sqlite' } }, collections: { cases: {} } }`,
  );

describe('bad input', () => {
  test('a config with a syntax error names the file, line and column and shows the line', async () => {
    const dir = projectWithConfig('{ stores: ');
    const run = await runSteward(['doctor'], { cwd: dir });
    assertUserError(run, 2, 'steward.config.ts could not be loaded');
    assert.match(run.stderr, /steward\.config\.ts:2:\d+/, 'the location of the error');
    assert.match(run.stderr, /export default defineConfig\(\{ stores: \);/, 'the offending line');
    assert.match(run.stderr, /\n\s*\^/, 'a caret under the error');
  });

  test('a config that throws while it loads says where', async () => {
    const dir = projectWithConfig(
      '{ stores: {} })\nconst n: number = 1;\nthrow new Error("no region for " + n);\n(0',
    );
    const run = await runSteward(['doctor'], { cwd: dir });
    assertUserError(run, 2, 'could not be loaded: no region for 1');
    assert.match(run.stderr, /steward\.config\.ts:4:\d+/);
    assert.match(run.stderr, /throw new Error\("no region for " \+ n\);/);
  });

  test('an invalid config reports every problem with its path, and nothing is written', async () => {
    const dir = projectWithConfig(
      `{ stores: { main: { kind: 'sqlite' }, other: { kind: 'cassandra' } }, collections: { cases: { store: 'x' } } }`,
    );
    const run = await runSteward(['find', 'cases'], { cwd: dir });
    assertUserError(run, 2, 'stores.main.file: is required');
    assert.match(run.stderr, /stores\.other\.kind: must be one of sqlite, mongodb, dynamodb/);
    assert.match(run.stderr, /collections\.cases\.store: names no store/);
  });

  test('a missing config says how to make one', async () => {
    const dir = projectWithConfig('{}');
    const run = await runSteward(['doctor', '--config', 'nope.config.ts'], { cwd: dir });
    assertUserError(run, 2, 'run "steward init"');
  });

  test('an environment variable the config needs is named when unset', async () => {
    const dir = projectWithConfig(
      `{ stores: { main: { kind: 'mongodb', uri: env('STEWARD_TEST_UNSET_URI'), database: 'x' } } }`,
    );
    const run = await runSteward(['doctor'], { cwd: dir });
    assertUserError(
      run,
      2,
      'stores.main.uri: reads environment variable STEWARD_TEST_UNSET_URI, which is not set',
    );
  });

  test('a filter with a forbidden operator is refused before the store is opened', async () => {
    const dir = sqliteProject();
    for (const where of [
      '{"$where":"sleep(1000)"}',
      '{"status":{"$regex":"^o"}}',
      '{"$expr":{"$gt":["$a",1]}}',
      '{bad json',
    ]) {
      const run = await runSteward(['find', 'cases', '--where', where], { cwd: dir });
      assertUserError(run, 2, /--where/);
    }
    assert.equal(existsSync(join(dir, 'data')), false, 'the store was never opened');
  });

  test('a collection that is not declared, or not in the store, is a usage error', async () => {
    const dir = sqliteProject();
    assertUserError(
      await runSteward(['find', 'tasks'], { cwd: dir }),
      2,
      'collection "tasks" is not declared',
    );
    assertUserError(
      await runSteward(['count', 'cases'], { cwd: dir }),
      2,
      'collection "cases" does not exist',
    );
  });

  test('an unreachable MongoDB exits 3 naming the server', async () => {
    const dir = projectWithConfig(
      `{ stores: { main: { kind: 'mongodb', uri: 'mongodb://127.0.0.1:9', database: 'x', connectTimeoutMs: 1500 } }, collections: { cases: {} } }`,
    );
    assertUserError(await runSteward(['count', 'cases'], { cwd: dir }), 3, '127.0.0.1:9');
    const doctor = await runSteward(['doctor'], { cwd: dir });
    assert.equal(doctor.code, 3);
    assert.match(
      doctor.stdout,
      /FAIL +main \(mongodb\): store "main" \(MongoDB at 127\.0\.0\.1:9\) did not answer/,
    );
  });

  test('an unreachable DynamoDB exits 3 naming the endpoint', async () => {
    const dir = projectWithConfig(
      `{ stores: { main: { kind: 'dynamodb', region: 'us-east-1', endpoint: 'http://127.0.0.1:9', credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, maxAttempts: 2 } }, collections: { cases: {} } }`,
    );
    assertUserError(await runSteward(['count', 'cases'], { cwd: dir }), 3, '127.0.0.1:9');
  });

  test('credentials DynamoDB refuses exit 3 and say so', async () => {
    const endpoint = process.env.STEWARD_TEST_DYNAMODB_ENDPOINT;
    assert.ok(endpoint, 'STEWARD_TEST_DYNAMODB_ENDPOINT is set by npm test');
    // DynamoDB Local refuses access keys that are not alphanumeric, as AWS refuses unknown ones.
    const dir = projectWithConfig(
      `{ stores: { main: { kind: 'dynamodb', region: 'us-east-1', endpoint: '${endpoint}', credentials: { accessKeyId: 'bad-key', secretAccessKey: 'x' } } }, collections: { cases: {} } }`,
    );
    assertUserError(
      await runSteward(['count', 'cases'], { cwd: dir }),
      3,
      /credential|access key|security token/i,
    );
  });

  test('unknown commands and options are usage errors', async () => {
    const dir = sqliteProject();
    assertUserError(await runSteward(['frobnicate'], { cwd: dir }), 2, 'unknown command "frobnicate"');
    assertUserError(
      await runSteward(['doctor', '--frob'], { cwd: dir }),
      2,
      'unknown option --frob for "steward doctor" (run "steward doctor --help" for its options)',
    );
    assertUserError(
      await runSteward(['find', 'cases', '--limit', 'many'], { cwd: dir }),
      2,
      '--limit must be an integer',
    );
  });

  test('--json errors are machine-readable', async () => {
    const dir = sqliteProject();
    writeFileSync(join(dir, 'x.json'), '{}');
    const run = await runSteward(['find', 'cases', '--where', '{"$or":[]}', '--json'], { cwd: dir });
    assert.equal(run.code, 2);
    const parsed = JSON.parse(run.stdout) as { error: { code: string } };
    assert.equal(parsed.error.code, 'filter.invalid');
  });
});
