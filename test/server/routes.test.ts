/**
 * Every route of `steward serve` on the example (SQLite), called as a client would, with the
 * answers checked against what the library gives; the OpenAPI document validated as 3.1; and a
 * check that every path and method of it was answered (2xx) by a call of this file.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Validator } from '@seriousme/openapi-schema-validator';
import type { FastifyInstance } from 'fastify';
import { signApprovalFor } from '../../src/workspace/approvals.js';
import { migrateDryRun } from '../../src/workspace/migrations/migrate-dry-run.js';
import {
  type CallerName,
  call,
  openApiRoutes,
  projectServer,
  type ServerProject,
  serverProject,
} from './server-project.js';

describe('steward serve: every route on the example (sqlite)', () => {
  let project: ServerProject;
  let app: FastifyInstance;
  const answered = new Map<string, number[]>();
  let reportSubject = '';
  before(async () => {
    project = await serverProject('sqlite', { docs: 300, faults: { orphans: 4, drift: 3 } });
    const dryRun = await migrateDryRun(project.config, {}, { actor: 'setup' });
    assert.ok('report' in dryRun && dryRun.report.ok, 'the example dry run passes');
    reportSubject = `${dryRun.report.planHash}:${dryRun.hash}`;
    app = await projectServer(project, {}, (route, status) => {
      answered.set(route, [...(answered.get(route) ?? []), status]);
    });
  });
  after(async () => {
    await app?.close();
    await project?.cleanup();
  });
  const get = async (url: string, caller: CallerName = 'viewer') => {
    const res = await call(app, project, caller, { method: 'GET', url });
    assert.equal(res.statusCode, 200, `${url}: ${res.body}`);
    return res.json();
  };

  test('health, metrics', async () => {
    assert.deepEqual(await get('/healthz', 'none'), { ok: true });
    assert.equal((await get('/readyz', 'none')).ok, true);
    const metrics = await call(app, project, 'viewer', { method: 'GET', url: '/metrics' });
    assert.equal(metrics.statusCode, 200);
    assert.match(String(metrics.headers['content-type']), /text\/plain/);
    assert.match(metrics.body, /process_cpu_user_seconds_total/);
  });

  test('contracts: list, one, schema version, census, impact', async () => {
    const list = await get('/contracts');
    assert.ok(list.contracts.some((c: { collection: string }) => c.collection === 'subjects'));
    const one = await get('/contracts/subjects');
    assert.equal(one.contract.collection, 'subjects');
    assert.deepEqual(one.versions, [1, 2]);
    const version = await get('/contracts/subjects/schema-version');
    assert.equal(version.current, 2);
    const census = await get('/contracts/subjects/census');
    assert.equal(census.collection, 'subjects');
    assert.ok(Object.values(census.census as Record<string, number>).reduce((a, b) => a + b, 0) > 0);
    const impact = await get('/contracts/impact?field=subjects.name');
    assert.equal(typeof impact, 'object');
    const unknown = await call(app, project, 'viewer', { method: 'GET', url: '/contracts/nothing-here' });
    assert.equal(unknown.statusCode, 404);
    assert.equal(unknown.json().error.field, 'collection');
  });

  test('a service: what it owns, reads and writes, and the pending migration that concerns it', async () => {
    const view = await get('/services/subject-registry');
    assert.ok(
      view.collections.some(
        (c: { collection: string; owns: boolean }) => c.collection === 'subjects' && c.owns,
      ),
    );
    assert.equal(view.migrations.pending.length, 1);
    const unknown = await call(app, project, 'viewer', { method: 'GET', url: '/services/nobody' });
    assert.equal(unknown.statusCode, 400);
    assert.equal(unknown.json().error.field, 'name');
  });

  test('migrations: plan, dry-run report, status, history', async () => {
    const plan = await get('/migrations/plan');
    assert.equal(plan.migrations.length, 1);
    const dryRun = await get('/migrations/dry-run');
    assert.equal(dryRun.planHash, plan.hash);
    assert.equal(dryRun.reportMatches, true);
    const status = await get('/migrations/status');
    assert.equal(status.planHash, plan.hash);
    const history = await get('/migrations/history?limit=5');
    assert.ok(history.audit.some((r: { action: string }) => r.action === 'migrate.dry-run'));
  });

  test('approvals: an approver records a signature made with the approver key; viewers list it', async () => {
    const approval = signApprovalFor(project.config, {
      keyFile: project.keys.alice,
      approver: 'alice',
      role: 'owner',
      expiresInMs: 3_600_000,
      subject: reportSubject,
      kind: 'migrations',
    });
    const res = await call(app, project, 'approver', { method: 'POST', url: '/approvals', body: approval });
    assert.equal(res.statusCode, 201, res.body);
    assert.equal(res.json().status, 'recorded');
    const listed = await get(`/approvals?subject=${encodeURIComponent(reportSubject)}`);
    assert.deepEqual(
      listed.approvals.map((a: { approver: string; status: string }) => [a.approver, a.status]),
      [['alice', 'valid']],
    );
    const audit = await get('/audit?action=approval.&limit=5');
    assert.equal(audit.records.at(-1).actor, 't-approver', 'audited with the token name');
  });

  test('incidents: orphans after a scan, filtered and paged with a total', async () => {
    const { refsScan } = await import('../../src/workspace/integrity/refs-scan.js');
    await refsScan(project.config, {}, { actor: 'setup' });
    const all = await get('/incidents?of=reference&status=open&limit=2');
    assert.equal(all.total, 4);
    assert.equal(all.incidents.length, 2);
    const next = await get('/incidents?of=reference&status=open&offset=2&limit=2');
    assert.equal(next.incidents.length, 2);
    assert.notDeepEqual(next.incidents, all.incidents);
    const where = encodeURIComponent(JSON.stringify({ kind: { $in: ['orphan'] } }));
    assert.equal((await get(`/incidents?of=reference&where=${where}`)).total, 4);
    assert.equal((await get('/incidents?minAge=1d')).total, 0);
  });

  test('derived status, flags, audit log and verify', async () => {
    const status = await get('/derived/status');
    assert.ok(status.statuses.length > 0);
    const set = await call(app, project, 'admin', {
      method: 'PUT',
      url: '/flags/cases.read-shape',
      body: { value: 'v1', reason: 'start', allowed: ['v1', 'v2'] },
    });
    assert.equal(set.statusCode, 200, set.body);
    assert.equal((await get('/flags')).flags.length, 1);
    assert.equal((await get('/flags/cases.read-shape')).flag.value, 'v1');
    const page = await get('/audit?limit=3&offset=1');
    assert.equal(page.records.length, 3);
    assert.ok(page.total > 3);
    const verified = await get('/audit/verify');
    assert.equal(verified.ok, true);
    assert.equal((await get(`/audit/verify?expectHead=${verified.auditHead}`)).ok, true);
  });

  test('jobs: start each kind (202), follow, pause and resume them', async () => {
    const start = async (url: string, body: unknown) => {
      const res = await call(app, project, 'operator', { method: 'POST', url, body });
      assert.equal(res.statusCode, 202, `${url}: ${res.body}`);
      return res.json().job.id as string;
    };
    const ids = [
      await start('/migrations/apply', {}),
      await start('/refs/repair', { dryRun: true }),
      await start('/drift/check', { method: 'exact' }),
      await start('/drift/repair', { dryRun: true }),
    ];
    const scan = await start('/refs/scan', { rate: 20, batch: 10 });
    const paused = await call(app, project, 'operator', { method: 'POST', url: `/jobs/${scan}/pause` });
    assert.equal(paused.statusCode, 200, paused.body);
    assert.equal(paused.json().job.status, 'paused');
    const resumed = await call(app, project, 'operator', { method: 'POST', url: `/jobs/${scan}/resume` });
    assert.equal(resumed.statusCode, 202, resumed.body);
    await call(app, project, 'operator', { method: 'POST', url: `/jobs/${scan}/pause` });
    for (const id of ids) {
      let job = (await get(`/jobs/${id}`)).job;
      while (job.status === 'running') {
        await new Promise((r) => setTimeout(r, 50));
        job = (await get(`/jobs/${id}`)).job;
      }
      assert.equal(job.status, 'succeeded', JSON.stringify(job.error));
    }
    ids.push(await start('/migrations/rollback', {}));
    const page = await get('/jobs?limit=50');
    assert.ok(ids.every((id) => page.jobs.some((j: { id: string }) => j.id === id)));
    assert.ok((await get('/migrations/status')).jobs);
  });

  test('/openapi.json is a valid OpenAPI 3.1 document; /docs serves the UI from npm', async () => {
    const document = await get('/openapi.json', 'none');
    assert.equal(document.openapi, '3.1.0');
    const result = await new Validator().validate(document);
    assert.equal(result.valid, true, JSON.stringify(result.errors, null, 2));
    const docs = await call(app, project, 'none', { method: 'GET', url: '/docs' });
    assert.equal(docs.statusCode, 200);
    assert.match(docs.body, /static\/swagger-ui-bundle\.js/, 'the UI loads its assets from this server');
    assert.doesNotMatch(docs.body, /https?:\/\/(cdn|unpkg|cdnjs)/);
  });

  test('every path and method of the OpenAPI document was answered 2xx by a call above', async () => {
    const document = (await call(app, project, 'none', { method: 'GET', url: '/openapi.json' })).json();
    const missing = openApiRoutes(document).filter(
      (route) => !(answered.get(route) ?? []).some((s) => s >= 200 && s < 300),
    );
    assert.deepEqual(missing, [], 'routes never answered with success by a test');
  });
});
