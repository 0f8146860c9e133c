/**
 * The job routes on SQLite, in process: bad input (unknown fields, wrong types, bad names, filter
 * injection, bad ids and queries, no or a weak token) is a 4xx naming the field, starts nothing
 * and changes nothing (checksums of the data and the ledger); a job started by a request goes on
 * after the request, and is followed, paused and resumed through the API.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyInstance } from 'fastify';
import type { JobRecord } from '../../src/ledger/job-records.js';
import { type CallerName, call, projectServer, type ServerProject, serverProject } from './server-project.js';

describe('steward serve: job routes (sqlite)', () => {
  let project: ServerProject;
  let app: FastifyInstance;
  before(async () => {
    project = await serverProject('sqlite', { docs: 600, faults: { orphans: 3 } });
    app = await projectServer(project);
  });
  after(async () => {
    await app?.close();
    await project?.cleanup();
  });
  const send = (caller: CallerName, method: string, url: string, body?: unknown) =>
    call(app, project, caller, { method, url, ...(body === undefined ? {} : { body }) });

  test('bad input is a 4xx naming the field; nothing is started and nothing changes', async () => {
    const before = await project.checksum();
    const cases: [CallerName, string, string, unknown, number, string, string | undefined][] = [
      ['operator', 'POST', '/refs/scan', { bogus: 1 }, 400, 'input.invalid', 'body.bogus'],
      ['operator', 'POST', '/refs/scan', { batch: 'ten' }, 400, 'input.invalid', 'body.batch'],
      [
        'operator',
        'POST',
        '/refs/scan',
        { segment: { index: 0 } },
        400,
        'input.invalid',
        'body.segment.total',
      ],
      [
        'operator',
        'POST',
        '/refs/scan',
        { references: ['nope.field'] },
        400,
        'input.invalid',
        'body.references.0',
      ],
      ['operator', 'POST', '/refs/repair', { dryRun: 'yes' }, 400, 'input.invalid', 'body.dryRun'],
      ['operator', 'POST', '/migrations/apply', { rate: -1 }, 400, 'input.invalid', 'body.rate'],
      [
        'operator',
        'POST',
        '/migrations/apply',
        { resume: true, extra: {} },
        400,
        'input.invalid',
        'body.extra',
      ],
      [
        'operator',
        'POST',
        '/migrations/rollback',
        { to: '../../etc/passwd' },
        400,
        'input.invalid',
        'body.to',
      ],
      ['operator', 'POST', '/drift/check', { method: 'guess' }, 400, 'input.invalid', 'body.method'],
      ['operator', 'POST', '/drift/check', { derived: ['nope'] }, 400, 'input.invalid', 'body.derived.0'],
      [
        'operator',
        'POST',
        '/drift/check',
        { where: { $where: 'sleep(100)' } },
        400,
        'filter.invalid',
        undefined,
      ],
      [
        'operator',
        'POST',
        '/drift/check',
        { where: { $and: [{ n: { $function: 'x' } }] } },
        400,
        'filter.invalid',
        undefined,
      ],
      ['operator', 'POST', '/drift/repair', { batch: 0 }, 400, 'input.invalid', 'body.batch'],
      ['operator', 'POST', '/refs/scan', [], 400, 'input.invalid', 'body'],
      ['viewer', 'POST', '/refs/scan', {}, 403, 'auth.forbidden', undefined],
      ['none', 'POST', '/migrations/apply', {}, 401, 'auth.required', undefined],
      ['viewer', 'GET', '/jobs?limit=0', undefined, 400, 'input.invalid', 'query.limit'],
      ['viewer', 'GET', '/jobs?bogus=1', undefined, 400, 'input.invalid', 'query.bogus'],
      ['viewer', 'GET', '/jobs/..%2F..%2Fetc', undefined, 400, 'input.invalid', 'path.id'],
      ['viewer', 'GET', '/jobs/job-none', undefined, 404, 'job.unknown', undefined],
      ['operator', 'POST', '/jobs/job-none/pause', undefined, 404, 'job.unknown', undefined],
      ['viewer', 'POST', '/jobs/job-none/resume', undefined, 403, 'auth.forbidden', undefined],
    ];
    for (const [caller, method, url, body, status, code, field] of cases) {
      const res = await send(caller, method, url, body);
      const what = `${caller} ${method} ${url} ${JSON.stringify(body)}: ${res.body}`;
      assert.equal(res.statusCode, status, what);
      assert.equal(res.json().error.code, code, what);
      if (field) assert.equal(res.json().error.field, field, what);
      assert.doesNotMatch(res.body, /\bat .*\.(ts|js):\d+/, 'no stack trace');
    }
    const malformed = await call(app, project, 'operator', {
      method: 'POST',
      url: '/refs/scan',
      payload: '{"batch": ',
      headers: { 'content-type': 'application/json' },
    });
    assert.equal(malformed.statusCode, 400);
    assert.deepEqual((await send('viewer', 'GET', '/jobs')).json().jobs, []);
    assert.equal(await project.checksum(), before);
  });

  test('a job started by a request runs on after it; it is followed, paused and resumed through the API', async () => {
    const start = await send('operator', 'POST', '/refs/scan', { rate: 100, batch: 20 });
    assert.equal(start.statusCode, 202, start.body);
    const started = start.json().job as JobRecord;
    assert.equal(start.headers.location, `/jobs/${started.id}`);
    assert.equal(started.actor, 't-operator');
    await sleep(500);
    const live = (await send('viewer', 'GET', `/jobs/${started.id}`)).json().job as JobRecord;
    assert.equal(live.status, 'running');
    assert.ok(live.progress.done > 0, JSON.stringify(live.progress));
    assert.match(live.progress.stage ?? '', /scan /);
    const paused = await send('operator', 'POST', `/jobs/${started.id}/pause`);
    assert.equal(paused.statusCode, 200, paused.body);
    assert.equal(paused.json().job.status, 'paused');
    const again = await send('operator', 'POST', `/jobs/${started.id}/pause`);
    assert.equal(again.statusCode, 409);
    assert.equal(again.json().error.code, 'job.conflict');
    const resumed = await send('operator', 'POST', `/jobs/${started.id}/resume`);
    assert.equal(resumed.statusCode, 202, resumed.body);
    let job = resumed.json().job as JobRecord;
    while (job.status === 'running') {
      await sleep(100);
      job = (await send('viewer', 'GET', `/jobs/${started.id}`)).json().job;
    }
    assert.equal(job.status, 'succeeded', JSON.stringify(job.error));
    assert.equal(job.runs, 2);
    const orphans = (job.result as { references: { orphans: number }[] }).references.reduce(
      (n, r) => n + r.orphans,
      0,
    );
    assert.equal(orphans, 3);
    const page = (await send('viewer', 'GET', '/jobs?limit=1')).json();
    assert.deepEqual(
      page.jobs.map((j: JobRecord) => j.id),
      [started.id],
    );
    const defaults = await send('operator', 'POST', '/drift/check', {});
    assert.equal(defaults.statusCode, 202, `a start with {} takes the defaults: ${defaults.body}`);
  });
});
