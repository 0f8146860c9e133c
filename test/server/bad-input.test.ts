/**
 * Bad input through the API, on each selected store: malformed JSON, an oversized body, unknown
 * fields, wrong types, filter injection, forged, expired, replayed and plan-mismatched approvals,
 * and path traversal in names. Each is a 4xx JSON error naming the field, with no stack trace,
 * and the ledger and the data are the same afterwards (checksums of every document).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import type { Approval } from '../../src/approvals/approval.js';
import { signApprovalFor } from '../../src/workspace/approvals.js';
import { selectedKinds } from '../support/test-stores.js';
import { call, projectServer, type ServerProject, serverProject } from './server-project.js';

interface BadCase {
  readonly name: string;
  readonly method: string;
  readonly url: string;
  readonly body?: unknown;
  readonly payload?: string;
  readonly caller?: 'viewer' | 'approver' | 'admin';
  readonly status: number;
  /** The field the error must name. */
  readonly field: string;
}

const injections: Record<string, unknown> = {
  $where: { $where: 'sleep(1000) || true' },
  $function: { $function: { body: 'return true', args: [], lang: 'js' } },
  $expr: { $expr: { $gt: ['$revision', 0] } },
  'operator nested in $and': { $and: [{ kind: 'orphan' }, { subject: { $where: 'true' } }] },
  'operator nested in $in': { kind: { $in: [{ $gt: '' }] } },
  'operator as a field name': { $ne: { kind: 'x' } },
  'operator inside a field path': { 'detail.$where': 'x' },
  'unknown operator': { kind: { $regex: '.*' } },
};

function sign(project: ServerProject, subject: string, kind: string, expiresInMs = 3_600_000): Approval {
  return signApprovalFor(project.config, {
    keyFile: project.keys.alice,
    approver: 'alice',
    role: 'owner',
    expiresInMs,
    subject,
    kind,
  });
}

for (const kind of selectedKinds()) {
  describe(`bad input through the API, ledger and data on ${kind}`, () => {
    let project: ServerProject;
    let app: FastifyInstance;
    let recorded: Approval;
    before(async () => {
      project = await serverProject(kind, { docs: 60, faults: { orphans: 2 } });
      app = await projectServer(project);
      recorded = sign(project, 'a1b2c3d4e5f6a7b8c9d0', 'refs.delete-dependent');
      const first = await call(app, project, 'approver', {
        method: 'POST',
        url: '/approvals',
        body: recorded,
      });
      assert.equal(first.statusCode, 201, first.body);
    });
    after(async () => {
      await app?.close();
      await project?.cleanup();
    });

    test('each bad request is a 4xx JSON error naming the field, and nothing changes', async () => {
      const flag = '/flags/cases.read-shape';
      const expired = sign(project, 'b1b2c3d4e5f6a7b8c9d0', 'refs.delete-dependent', 1);
      await new Promise((r) => setTimeout(r, 10));
      const cases: BadCase[] = [
        {
          name: 'malformed JSON',
          method: 'PUT',
          url: flag,
          payload: '{"value": "v1", ',
          caller: 'admin',
          status: 400,
          field: 'body',
        },
        {
          name: 'oversized body',
          method: 'PUT',
          url: flag,
          body: { value: 'v1', reason: 'x'.repeat(100_000) },
          caller: 'admin',
          status: 413,
          field: 'body',
        },
        {
          name: 'unknown field',
          method: 'PUT',
          url: flag,
          body: { value: 'v1', reason: 'r', force: true },
          caller: 'admin',
          status: 400,
          field: 'body.force',
        },
        {
          name: 'missing field',
          method: 'PUT',
          url: flag,
          body: { value: 'v1' },
          caller: 'admin',
          status: 400,
          field: 'body.reason',
        },
        {
          name: 'wrong type in a body',
          method: 'PUT',
          url: flag,
          body: { value: 2, reason: 'r' },
          caller: 'admin',
          status: 400,
          field: 'body.value',
        },
        {
          name: 'wrong type in a query',
          method: 'GET',
          url: '/incidents?limit=many',
          status: 400,
          field: 'query.limit',
        },
        {
          name: 'unknown query parameter',
          method: 'GET',
          url: '/incidents?sort=$natural',
          status: 400,
          field: 'query.sort',
        },
        {
          name: 'a filter that is not JSON',
          method: 'GET',
          url: '/incidents?where={kind:1}',
          status: 400,
          field: 'query.where',
        },
        ...Object.entries(injections).map(([name, filter]) => ({
          name: `filter injection: ${name}`,
          method: 'GET',
          url: `/incidents?where=${encodeURIComponent(JSON.stringify(filter))}`,
          status: 400,
          field: 'query.where',
        })),
        {
          name: 'forged approval (subject changed after signing)',
          method: 'POST',
          url: '/approvals',
          body: {
            ...sign(project, 'c1b2c3d4e5f6a7b8c9d0', 'refs.delete-dependent'),
            subject: 'd1b2c3d4e5f6a7b8c9d0',
          },
          caller: 'approver',
          status: 400,
          field: 'signature',
        },
        {
          name: 'forged approval (role raised after signing)',
          method: 'POST',
          url: '/approvals',
          body: {
            ...sign(project, 'c1b2c3d4e5f6a7b8c9d0', 'refs.delete-dependent'),
            approver: 'bob',
            role: 'dba',
          },
          caller: 'approver',
          status: 400,
          field: 'signature',
        },
        {
          name: 'expired approval',
          method: 'POST',
          url: '/approvals',
          body: expired,
          caller: 'approver',
          status: 400,
          field: 'expiresAt',
        },
        {
          name: 'replayed approval',
          method: 'POST',
          url: '/approvals',
          body: recorded,
          caller: 'approver',
          status: 409,
          field: 'signature',
        },
        {
          name: 'plan-mismatched approval',
          method: 'POST',
          url: '/approvals',
          body: sign(project, `${'e'.repeat(64)}:${'f'.repeat(64)}`, 'migrations'),
          caller: 'approver',
          status: 400,
          field: 'subject',
        },
        {
          name: 'path traversal (encoded)',
          method: 'GET',
          url: '/contracts/..%2F..%2Fetc%2Fpasswd',
          status: 400,
          field: 'path.collection',
        },
        {
          name: 'path traversal (backslashes)',
          method: 'GET',
          url: '/services/..%5C..%5Csecrets',
          status: 400,
          field: 'path.name',
        },
        {
          name: 'path traversal (dots inside)',
          method: 'GET',
          url: '/services/a..b',
          status: 400,
          field: 'path.name',
        },
        {
          name: 'path traversal in a flag name',
          method: 'PUT',
          url: '/flags/..%2Fsteward_audit',
          body: { value: 'v', reason: 'r' },
          caller: 'admin',
          status: 400,
          field: 'path.name',
        },
        {
          name: 'operator as a name',
          method: 'GET',
          url: '/contracts/$where',
          status: 400,
          field: 'path.collection',
        },
      ];
      const before = await project.checksum();
      const problems: string[] = [];
      for (const c of cases) {
        const res = await call(app, project, c.caller ?? 'viewer', {
          method: c.method,
          url: c.url,
          ...(c.payload !== undefined
            ? { payload: c.payload, headers: { 'content-type': 'application/json' } }
            : c.body !== undefined
              ? { body: c.body }
              : {}),
        });
        const error = (res.json() as { error?: { code?: string; field?: string; message?: string } }).error;
        if (res.statusCode !== c.status)
          problems.push(`${c.name}: status ${res.statusCode}, expected ${c.status}: ${res.body}`);
        if (error?.field !== c.field) problems.push(`${c.name}: field ${error?.field}, expected ${c.field}`);
        if (!error?.message || !error.code) problems.push(`${c.name}: no code or message`);
        if (/\n\s+at /.test(res.body)) problems.push(`${c.name}: a stack trace in the answer`);
      }
      assert.deepEqual(problems, []);
      assert.equal(await project.checksum(), before, 'the ledger and the data are unchanged');
    });
  });
}
