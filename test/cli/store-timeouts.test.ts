/**
 * No command hangs on a store that stops answering: with a store that accepts connections and
 * never answers (a TCP server in the test) as the DynamoDB endpoint or the MongoDB URI, `count`
 * and `doctor` end with exit 3 and one line naming the store, within a bound set by the config's
 * timeouts; a SQLite file locked by another writer past `busyTimeoutMs` ends a write the same
 * way. Runs the built CLI as a user does; needs no store server.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { openStore } from '../../src/stores/open-store.js';
import { projectWithConfig, runSteward, type StewardRun } from '../support/run-steward.js';
import { type SilentServer, startSilentServer } from '../support/silent-server.js';

/** Ample for timeouts of 500 ms and the SDK's 3 attempts; the hang this guards against was endless. */
const boundMs = 20_000;

async function timed(args: string[], dir: string): Promise<StewardRun & { ms: number }> {
  const started = Date.now();
  const run = await runSteward(args, { cwd: dir, timeoutMs: boundMs * 2 });
  return { ...run, ms: Date.now() - started };
}

function assertOneLine(run: StewardRun & { ms: number }, pattern: RegExp): void {
  assert.equal(run.code, 3, `exit code; stdout: ${run.stdout}\nstderr: ${run.stderr}`);
  assert.ok(run.ms < boundMs, `ended within ${boundMs} ms (took ${run.ms})`);
  const lines = run.stderr.trimEnd().split('\n');
  assert.equal(lines.length, 1, `one line on stderr: ${run.stderr}`);
  assert.match(lines[0] ?? '', pattern);
}

function assertDoctorFails(run: StewardRun & { ms: number }, pattern: RegExp): void {
  assert.equal(run.code, 3, `exit code; stdout: ${run.stdout}\nstderr: ${run.stderr}`);
  assert.ok(run.ms < boundMs, `ended within ${boundMs} ms (took ${run.ms})`);
  const fail = run.stdout.split('\n').filter((l) => l.includes('FAIL'));
  assert.equal(fail.length, 1, run.stdout);
  assert.match(fail[0] ?? '', pattern);
  assert.equal(run.stderr, '');
}

describe('a store that accepts connections and never answers', () => {
  let silent: SilentServer;
  before(async () => {
    silent = await startSilentServer();
  });
  after(() => silent.close());

  test('DynamoDB: count and doctor exit 3 with one line naming the store', async () => {
    const dir = projectWithConfig(`{
      stores: { events: { kind: 'dynamodb', region: 'us-east-1', endpoint: 'http://127.0.0.1:${silent.port}',
        credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, connectTimeoutMs: 500, requestTimeoutMs: 500 } },
      collections: { cases: {} },
    }`);
    const line =
      /^steward: store "events" \(DynamoDB at http:\/\/127\.0\.0\.1:\d+\) did not answer DescribeTable on table "cases" in time \(connectTimeoutMs 500, requestTimeoutMs 500, 3 attempts\); .*raise the timeouts in stores\.events$/;
    assertOneLine(await timed(['count', 'cases'], dir), line);
    assertDoctorFails(
      await timed(['doctor'], dir),
      /FAIL {2}events \(dynamodb\): store "events" \(DynamoDB at .*\) did not answer ListTables in time/,
    );
  });

  test('MongoDB: count and doctor exit 3 with one line naming the store', async () => {
    const dir = projectWithConfig(`{
      stores: { docs: { kind: 'mongodb', uri: 'mongodb://127.0.0.1:${silent.port}', database: 'app',
        connectTimeoutMs: 500, requestTimeoutMs: 500 } },
      collections: { cases: {} },
    }`);
    const line = /^steward: store "docs" \(MongoDB at 127\.0\.0\.1:\d+\) did not answer within 500 ms/;
    assertOneLine(await timed(['count', 'cases'], dir), line);
    assertDoctorFails(await timed(['doctor'], dir), /FAIL {2}docs \(mongodb\): store "docs" \(MongoDB at/);
  });
});

describe('a SQLite file another writer keeps locked', () => {
  test('a write waits busyTimeoutMs, then exits 3 with one line naming the store', async () => {
    const dir = projectWithConfig(`{
      stores: { main: { kind: 'sqlite', file: 'app.sqlite', busyTimeoutMs: 300 } },
      collections: { cases: {} },
    }`);
    const file = join(dir, 'app.sqlite');
    await (await openStore({ kind: 'sqlite', file })).close(); // the file exists, in WAL mode
    const holder = new Database(file);
    holder.exec('BEGIN IMMEDIATE');
    try {
      assertOneLine(
        await timed(['example', 'generate', '--docs', '50'], dir),
        /^steward: store "main" \(SQLite file .*app\.sqlite\) stayed locked by another writer for more than 300 ms .*raise stores\.main\.busyTimeoutMs$/,
      );
    } finally {
      holder.exec('ROLLBACK');
      holder.close();
    }
  });
});
