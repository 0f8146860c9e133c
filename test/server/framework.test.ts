/**
 * The server's framework on SQLite: health, deny by default, tokens, errors as JSON, logging
 * without secrets. The matrix over every route and every store is in authorization.test.ts.
 */
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { createServer } from '../../src/server/create-server.js';
import { defineRoute } from '../../src/server/server-route.js';
import { call, projectServer, type ServerProject, serverProject } from './server-project.js';

describe('steward serve: the framework (sqlite)', () => {
  let project: ServerProject;
  let app: FastifyInstance;
  const lines: string[] = [];
  before(async () => {
    project = await serverProject('sqlite');
    const stream = new Writable({
      write(chunk, _enc, done) {
        lines.push(...String(chunk).split('\n').filter(Boolean));
        done();
      },
    });
    app = await projectServer(project, { logger: { stream } });
  });
  after(async () => {
    await app?.close();
    await project?.cleanup();
  });

  test('/healthz and /readyz need no token', async () => {
    const health = await call(app, project, 'none', { method: 'GET', url: '/healthz' });
    assert.equal(health.statusCode, 200);
    assert.deepEqual(health.json(), { ok: true });
    const ready = await call(app, project, 'none', { method: 'GET', url: '/readyz' });
    assert.equal(ready.statusCode, 200, ready.body);
    assert.deepEqual(ready.json().stores, [{ store: 'main', kind: 'sqlite', ok: true }]);
  });

  test('no token is 401 with a JSON error; a viewer may not set a flag (403); an admin may', async () => {
    const none = await call(app, project, 'none', { method: 'GET', url: '/flags' });
    assert.equal(none.statusCode, 401);
    assert.equal(none.headers['www-authenticate'], 'Bearer');
    assert.equal(none.json().error.code, 'auth.required');
    const body = { value: 'v1', reason: 'start', allowed: ['v1', 'v2'] };
    const viewer = await call(app, project, 'viewer', {
      method: 'PUT',
      url: '/flags/cases.read-shape',
      body,
    });
    assert.equal(viewer.statusCode, 403);
    assert.equal(viewer.json().error.code, 'auth.forbidden');
    const admin = await call(app, project, 'admin', { method: 'PUT', url: '/flags/cases.read-shape', body });
    assert.equal(admin.statusCode, 200, admin.body);
    const got = await call(app, project, 'viewer', {
      method: 'GET',
      url: '/flags/cases.read-shape?history=true',
    });
    assert.equal(got.statusCode, 200);
    assert.equal(got.json().flag.by, 't-admin', 'the audit actor is the token name');
  });

  test('expired and revoked tokens are 401', async () => {
    for (const caller of ['expired', 'revoked'] as const) {
      const res = await call(app, project, caller, { method: 'GET', url: '/flags' });
      assert.equal(res.statusCode, 401, caller);
      assert.equal(res.json().error.code, `auth.${caller}`);
    }
  });

  test('an unknown field in a body is refused, naming it; an unknown route is a JSON 404', async () => {
    const res = await call(app, project, 'admin', {
      method: 'PUT',
      url: '/flags/cases.read-shape',
      body: { value: 'v2', reason: 'x', sneaky: 1 },
    });
    assert.equal(res.statusCode, 400);
    assert.deepEqual(res.json().error.field, 'body.sneaky');
    const missing = await call(app, project, 'viewer', { method: 'GET', url: '/nowhere' });
    assert.equal(missing.statusCode, 404);
    assert.equal(missing.json().error.code, 'route.not-found');
  });

  test('one JSON log line per request, with the actor and without the token', async () => {
    const before = lines.length;
    await call(app, project, 'viewer', { method: 'GET', url: '/flags' });
    const logged = lines.slice(before).map((l) => JSON.parse(l));
    assert.equal(logged.length, 1);
    assert.equal(logged[0].actor, 't-viewer');
    assert.equal(logged[0].path, '/flags');
    assert.ok(!lines.join('\n').includes(project.tokens.viewer!), 'no token in the log');
  });

  test('a route that declares no role stops the server from starting', async () => {
    const roleless = {
      ...defineRoute({
        method: 'GET',
        url: '/x',
        role: 'viewer',
        tag: 't',
        summary: 's',
        handler: async () => 1,
      }),
    };
    (roleless as { role?: string }).role = undefined;
    await assert.rejects(
      createServer(project.config, { logger: false, routes: [roleless] }),
      /route \/x declares no role/,
    );
  });
});
