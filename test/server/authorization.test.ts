/**
 * The authorization matrix: every route of the generated OpenAPI document (so routes added later
 * are covered without touching this file) x no token, each role, an expired and a revoked token,
 * with the ledger on each selected store. A caller the route's role admits gets neither 401 nor
 * 403; any other gets 401 (no valid token) or 403 (a valid token of too small a role).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { selectedKinds } from '../support/test-stores.js';
import { call, callers, projectServer, type ServerProject, serverProject } from './server-project.js';

interface Operation {
  readonly 'x-steward-role'?: string;
  readonly requestBody?: unknown;
}

/** The lattice as docs/server.md states it, written out here so the test does not trust the code. */
const admittedBy: Record<string, readonly string[]> = {
  viewer: ['viewer', 'operator', 'approver', 'admin'],
  operator: ['operator', 'admin'],
  approver: ['approver', 'admin'],
  admin: ['admin'],
};

/** A harmless URL for a route: every path parameter a plain name. */
function sampleUrl(path: string): string {
  return path.replace(/\{[^}]+\}/g, 'subjects');
}

for (const kind of selectedKinds()) {
  describe(`authorization matrix, ledger on ${kind}`, () => {
    let project: ServerProject;
    let app: FastifyInstance;
    before(async () => {
      project = await serverProject(kind);
      app = await projectServer(project);
    });
    after(async () => {
      await app?.close();
      await project?.cleanup();
    });

    test('every route x every caller: admitted callers pass, the others get 401 or 403', async () => {
      const document = (await call(app, project, 'none', { method: 'GET', url: '/openapi.json' })).json() as {
        paths: Record<string, Record<string, Operation>>;
      };
      const problems: string[] = [];
      let checked = 0;
      for (const [path, methods] of Object.entries(document.paths))
        for (const [method, operation] of Object.entries(methods)) {
          const role = operation['x-steward-role'];
          if (!role) {
            problems.push(`${method} ${path} declares no x-steward-role`);
            continue;
          }
          const admitted = new Set(admittedBy[role] ?? []);
          for (const caller of callers) {
            const res = await call(app, project, caller, {
              method: method.toUpperCase(),
              url: sampleUrl(path),
              // A body the schema refuses (unknown field), so an admitted call changes nothing.
              ...(operation.requestBody ? { body: { matrixProbe: true } } : {}),
            });
            checked += 1;
            const denied = res.statusCode === 401 || res.statusCode === 403;
            const shouldPass = role === 'public' || admitted.has(caller);
            const expected = ['none', 'expired', 'revoked'].includes(caller) ? 401 : 403;
            if (shouldPass && denied)
              problems.push(`${method} ${path} as ${caller}: ${res.statusCode}, admitted`);
            if (!shouldPass && res.statusCode !== expected)
              problems.push(`${method} ${path} as ${caller}: ${res.statusCode}, expected ${expected}`);
            if (!shouldPass && typeof res.json().error?.code !== 'string')
              problems.push(`${method} ${path} as ${caller}: no JSON error`);
          }
        }
      assert.deepEqual(problems, []);
      assert.ok(checked >= 20 * callers.length, `checked ${checked} calls`);
    });
  });
}
