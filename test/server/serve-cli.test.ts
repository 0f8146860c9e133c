/**
 * `steward serve` and `steward tokens` from the built CLI, through a real listening port: a token
 * made by `tokens create` opens the API, a revoked one no longer does, no token is 401, SIGTERM
 * stops the server with exit 0, and the log (JSON lines on stdout) never holds a token.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { test } from 'node:test';
import { projectWithConfig, runSteward, stewardBin } from '../support/run-steward.js';

test('steward serve on a real port, with tokens from steward tokens create', async () => {
  const cwd = projectWithConfig(`{ stores: { main: { kind: 'sqlite', file: 'data/app.sqlite' } } }`);
  const steward = (...args: string[]) => runSteward(args, { cwd, env: { STEWARD_ACTOR: 'ops-alice' } });
  const made = await steward(
    'tokens',
    'create',
    '--name',
    'reader',
    '--role',
    'viewer',
    '--expires',
    '1h',
    '--json',
  );
  assert.equal(made.code, 0, made.stderr);
  const { token, role, status } = JSON.parse(made.stdout) as { token: string; role: string; status: string };
  assert.match(token, /^stw_[A-Za-z0-9_-]{43}$/);
  assert.deepEqual([role, status], ['viewer', 'active']);
  const other = await steward('tokens', 'create', '--name', 'gone', '--role', 'admin');
  assert.equal(other.code, 0, other.stderr);
  const goneToken = other.stdout.trim();
  assert.equal((await steward('tokens', 'revoke', 'gone')).code, 0);
  const listed = await steward('tokens', 'list');
  assert.match(listed.stdout, /reader +viewer +active/);
  assert.match(listed.stdout, /gone +admin +revoked/);
  assert.ok(!listed.stdout.includes(token), 'tokens list never shows a secret');

  const server = spawn(process.execPath, [stewardBin, 'serve', '--port', '0'], {
    cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  server.stdout.on('data', (b) => {
    stdout += b;
  });
  const started = Date.now();
  const url = await new Promise<string>((resolve, reject) => {
    server.stderr.on('data', (b) => {
      stderr += b;
      const found = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(stderr);
      if (found) resolve(found[1]!);
    });
    server.on('exit', (code) => reject(new Error(`serve exited ${code}: ${stderr}`)));
  });
  const startMs = Date.now() - started;
  try {
    assert.equal((await fetch(`${url}/healthz`)).status, 200);
    assert.equal((await fetch(`${url}/flags`)).status, 401);
    const ok = await fetch(`${url}/flags`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(ok.status, 200);
    assert.deepEqual(await ok.json(), { flags: [] });
    const revoked = await fetch(`${url}/flags`, { headers: { authorization: `Bearer ${goneToken}` } });
    assert.equal(revoked.status, 401);
    const spec = (await (await fetch(`${url}/openapi.json`)).json()) as { openapi: string };
    assert.equal(spec.openapi, '3.1.0');
  } finally {
    const exited = new Promise<number | null>((resolve) => server.on('exit', (code) => resolve(code)));
    server.kill('SIGTERM');
    assert.equal(await exited, 0, stderr);
  }
  const lines = stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { path?: string; actor?: string });
  assert.ok(
    lines.some((l) => l.path === '/flags' && l.actor === 'reader'),
    stdout,
  );
  assert.ok(!stdout.includes(token) && !stdout.includes(goneToken), 'no token in the log');
  assert.ok(startMs < 10_000, `started in ${startMs} ms`);
});

test('steward serve warns when it listens beyond loopback; bad options exit 2', async () => {
  const cwd = projectWithConfig(`{ stores: { main: { kind: 'sqlite', file: 'data/app.sqlite' } } }`);
  const wide = spawn(process.execPath, [stewardBin, 'serve', '--host', '0.0.0.0', '--port', '0'], {
    cwd,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let said = '';
  await new Promise<void>((resolve) => {
    wide.stderr.on('data', (b) => {
      said += b;
      if (said.includes('listening on')) resolve();
    });
    wide.on('exit', () => resolve());
  });
  wide.kill('SIGTERM');
  assert.match(said, /warning: listening on 0\.0\.0\.0, not loopback/);
  const badPort = await runSteward(['serve', '--port', 'http'], { cwd });
  assert.equal(badPort.code, 2);
  assert.match(badPort.stderr, /--port must be an integer/);
  const badRole = await runSteward(['tokens', 'create', '--name', 'x', '--role', 'root'], { cwd });
  assert.equal(badRole.code, 2);
  assert.match(badRole.stderr, /role "root" is not one of viewer, operator, approver, admin/);
  const noName = await runSteward(['tokens', 'revoke', 'nobody'], { cwd });
  assert.equal(noName.code, 2);
  assert.match(noName.stderr, /no live token named "nobody"/);
});
