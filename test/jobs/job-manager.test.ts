/**
 * The job manager on every selected store as the ledger's store: a scan run in the background and
 * recorded with its progress; bad input refused at start with nothing recorded; a migration
 * paused mid-apply and resumed to the same end state as an uninterrupted apply; a migration
 * refused while another run holds the `migrate` lease; jobs a dead process left `running`
 * recovered (resumed, or marked interrupted for a resume call), by exactly one of two managers
 * recovering at once; progress written at a bounded rate.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { hostname } from 'node:os';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { isStewardError } from '../../src/errors/steward-error.js';
import { exampleCounts } from '../../src/example/example-rows.js';
import { JobManager } from '../../src/jobs/job-manager.js';
import { RunningJob } from '../../src/jobs/running-job.js';
import type { JobRecord } from '../../src/ledger/job-records.js';
import { openLedger } from '../../src/ledger/ledger.js';
import { openStore } from '../../src/stores/open-store.js';
import { selectedKinds } from '../support/test-stores.js';
import { type JobProject, jobProject } from './job-project.js';

const docs = 6000;
const subjects = exampleCounts(docs).subjects;

for (const kind of selectedKinds()) {
  describe(`background jobs with the ledger on ${kind}`, () => {
    let project: JobProject;
    let manager: JobManager;

    before(async () => {
      project = await jobProject(kind, docs, { batchSize: 50 });
      manager = await JobManager.open(project.config, { actor: 'job-test', progressIntervalMs: 200 });
    });
    after(async () => {
      await manager?.close();
      await project?.cleanup();
    });

    test('a refs scan job runs in the background and the ledger records its progress and result', async () => {
      const started = await manager.start('refs.scan', { batch: 100 }, { actor: 'ops@test' });
      assert.equal(started.status, 'running');
      assert.equal(started.actor, 'ops@test');
      const done = await manager.settled(started.id);
      assert.equal(done.status, 'succeeded', JSON.stringify(done.error));
      const result = done.result as { ok: boolean; references: { orphans: number; scanned: number }[] };
      assert.equal(result.ok, false);
      assert.equal(
        result.references.reduce((n, r) => n + r.orphans, 0),
        project.faults.orphans,
      );
      const scanned = result.references.reduce((n, r) => n + r.scanned, 0);
      assert.equal(done.progress.done, scanned);
      // What another process sees: the record in the ledger.
      const other = await JobManager.open(project.config);
      try {
        const stored = await other.get(started.id);
        assert.equal(stored.status, 'succeeded');
        assert.equal(stored.progress.done, scanned);
        assert.ok(stored.finishedAt);
        const page = await other.list({ limit: 10 });
        assert.ok(page.jobs.some((j) => j.id === started.id));
      } finally {
        await other.close();
      }
    });

    test('bad input is refused at start naming the field, and no job is recorded', async () => {
      const before = (await manager.list({ limit: 1000 })).jobs.length;
      const cases: [string, unknown, RegExp, string][] = [
        ['refs.scan', { batch: 100, bogus: 1 }, /bogus/, 'bogus'],
        ['refs.scan', { batch: 'many' }, /batch: must be integer/, 'batch'],
        ['migrate.apply', { rate: -1 }, /rate/, 'rate'],
        ['drift.check', { segment: { index: 0 } }, /segment\.total/, 'segment.total'],
        ['refs.scan', { references: ['nope.field'] }, /no reference named "nope.field"/, 'references.0'],
        ['migrate.explode', {}, /unknown job kind/, 'kind'],
      ];
      for (const [kind, input, message, field] of cases) {
        await assert.rejects(manager.start(kind, input), (error: unknown) => {
          assert.ok(isStewardError(error, 'input.invalid'), String(error));
          assert.match(error.message, message);
          assert.equal(error.details.field, field);
          return true;
        });
      }
      await assert.rejects(
        manager.start('drift.check', { where: { $where: 'sleep(1)' } }),
        (error: unknown) => isStewardError(error, 'filter.invalid'),
      );
      assert.equal((await manager.list({ limit: 1000 })).jobs.length, before);
    });

    test('a migration paused mid-apply resumes from its checkpoint to the end state of an uninterrupted apply', async () => {
      const planHash = await project.approvePlan();
      const started = await manager.start('migrate.apply', { rate: 150 });
      assert.equal(started.planHash, planHash);
      await waitFor(
        async () => (await manager.get(started.id)).progress.done >= 200,
        'the apply to get going',
      );
      const live = await manager.get(started.id);
      assert.match(live.progress.stage ?? '', /subjects/);
      const paused = await manager.pause(started.id);
      assert.equal(paused.status, 'paused');
      assert.ok(paused.progress.done < subjects, `paused at ${paused.progress.done} of ${subjects}`);
      const resumed = await manager.resume(started.id);
      assert.equal(resumed.status, 'running');
      assert.equal(resumed.runs, 2);
      const done = await manager.settled(started.id);
      assert.equal(done.status, 'succeeded', JSON.stringify(done.error));
      const report = (done.result as { report: { status: string; resumed: boolean } }).report;
      assert.equal(report.status, 'applied');
      assert.equal(report.resumed, true);
      assert.equal(done.planHash, planHash);

      // The same data, applied in one go by the library, ends byte for byte the same.
      const reference = await jobProject(kind, docs, { batchSize: 50 });
      try {
        await reference.approvePlan();
        const referenceManager = await JobManager.open(reference.config);
        try {
          const once = await referenceManager.settled((await referenceManager.start('migrate.apply')).id);
          assert.equal(once.status, 'succeeded');
        } finally {
          await referenceManager.close();
        }
        assert.deepEqual(await project.checksums(), await reference.checksums());
      } finally {
        await reference.cleanup();
      }
    });

    test('a migration is refused at start while another run holds the migrate lease', async () => {
      const store = await openStore(project.store);
      try {
        const ledger = await openLedger(store, { actor: 'cli' });
        const lease = await ledger.acquireLease({ name: 'migrate', holder: 'cli#4242-abc', ttlMs: 30_000 });
        try {
          const before = (await manager.list({ limit: 1000 })).jobs.length;
          await assert.rejects(manager.start('migrate.rollback'), (error: unknown) => {
            assert.ok(isStewardError(error, 'lease.held'), String(error));
            assert.match(error.message, /cli#4242-abc/);
            return true;
          });
          assert.equal((await manager.list({ limit: 1000 })).jobs.length, before);
        } finally {
          await lease.release();
        }
      } finally {
        await store.close();
      }
    });

    test('recover() resumes a job a dead process left running, or marks it interrupted for resume()', async () => {
      const dead = deadPid();
      const store = await openStore(project.store);
      try {
        const ledger = await openLedger(store, { actor: 'crashed' });
        const left = (id: string): JobRecord => ({
          id,
          kind: 'refs.scan',
          input: { batch: 200 },
          actor: 'crashed',
          status: 'running',
          progress: { done: 400, at: new Date().toISOString() },
          runs: 1,
          owner: { host: hostname(), pid: dead, instance: 'gone' },
          createdAt: new Date().toISOString(),
          updatedAt: new Date().toISOString(),
        });
        await ledger.jobs.put(left('job-crashed-1'));
        const recovered = await manager.recover();
        assert.deepEqual(
          recovered.map((r) => [r.id, r.status]),
          [['job-crashed-1', 'running']],
        );
        const done = await manager.settled('job-crashed-1');
        assert.equal(done.status, 'succeeded', JSON.stringify(done.error));
        assert.equal(done.runs, 2);

        await ledger.jobs.put(left('job-crashed-2'));
        const marked = await manager.recover({ resume: false });
        assert.deepEqual(
          marked.map((r) => [r.id, r.status]),
          [['job-crashed-2', 'interrupted']],
        );
        assert.equal((await manager.get('job-crashed-2')).status, 'interrupted');
        await manager.resume('job-crashed-2');
        assert.equal((await manager.settled('job-crashed-2')).status, 'succeeded');
        assert.deepEqual(await manager.recover(), []);
        await assert.rejects(manager.resume('job-crashed-2'), (e: unknown) =>
          isStewardError(e, 'job.conflict'),
        );
        await assert.rejects(manager.pause('job-crashed-2'), (e: unknown) =>
          isStewardError(e, 'job.conflict'),
        );
        await assert.rejects(manager.get('job-nope'), (e: unknown) => isStewardError(e, 'job.unknown'));
      } finally {
        await store.close();
      }
    });

    test('close() stops running jobs as interrupted; the next manager recovers and finishes them', async () => {
      const first = await JobManager.open(project.config, { actor: 'server-1' });
      const started = await first.start('refs.scan', { rate: 300, batch: 50, restart: true });
      await waitFor(async () => (await first.get(started.id)).progress.done > 0, 'the scan to get going');
      await first.close();
      const stopped = await manager.get(started.id);
      assert.equal(stopped.status, 'interrupted');
      assert.ok(stopped.progress.done > 0);
      const second = await JobManager.open(project.config, { actor: 'server-2' });
      try {
        const recovered = await second.recover();
        assert.ok(recovered.some((r) => r.id === started.id));
        const done = await second.settled(started.id);
        assert.equal(done.status, 'succeeded', JSON.stringify(done.error));
        assert.equal(done.runs, 2);
      } finally {
        await second.close();
      }
    });

    test('two managers recovering at once on one ledger: exactly one resumes the job, the other sees it running there', async () => {
      const store = await openStore(project.store);
      const managers = await Promise.all(
        ['server-a', 'server-b'].map((actor) => JobManager.open(project.config, { actor })),
      );
      try {
        const ledger = await openLedger(store, { actor: 'crashed' });
        const now = new Date().toISOString();
        await ledger.jobs.put({
          id: 'job-crashed-twice',
          kind: 'refs.scan',
          input: { batch: 200 },
          actor: 'crashed',
          status: 'running',
          progress: { done: 400, at: now },
          runs: 1,
          owner: { host: hostname(), pid: deadPid(), instance: 'gone' },
          createdAt: now,
          updatedAt: now,
        });
        const found = await Promise.all(managers.map((m) => m.recover()));
        const seen = found.map((jobs, i) => {
          const job = jobs.find((j) => j.id === 'job-crashed-twice');
          assert.ok(job, `manager ${i} reports the job`);
          return managers[i]!.runsHere(job);
        });
        assert.deepEqual(seen.toSorted(), [false, true], 'exactly one manager resumed it');
        const runner = managers[seen.indexOf(true)]!;
        const other = managers[seen.indexOf(false)]!;
        await assert.rejects(other.resume('job-crashed-twice'), (e: unknown) =>
          isStewardError(e, 'job.conflict'),
        );
        const done = await runner.settled('job-crashed-twice');
        assert.equal(done.status, 'succeeded', JSON.stringify(done.error));
        assert.equal(done.runs, 2, 'resumed once');
        assert.equal(done.claim, 1);
        assert.ok(!(await manager.list({ limit: 1000 })).jobs.some((j) => j.id.includes('#claim#')));
      } finally {
        for (const m of managers) await m.close();
        await store.close();
      }
    });

    test('progress reaches the ledger at a bounded rate, not once per event', async () => {
      const store = await openStore(project.store);
      try {
        const ledger = await openLedger(store, { actor: 'meter' });
        let writes = 0;
        const put = ledger.jobs.put.bind(ledger.jobs);
        ledger.jobs.put = (record) => {
          writes++;
          return put(record);
        };
        const now = new Date().toISOString();
        const job = new RunningJob(
          {
            id: 'job-meter',
            kind: 'refs.scan',
            input: {},
            actor: 'meter',
            status: 'running',
            progress: { done: 0, at: now },
            runs: 1,
            createdAt: now,
            updatedAt: now,
          },
          ledger.jobs,
          Date.now,
          { progressIntervalMs: 250, heartbeatMs: 10_000 },
        );
        const started = Date.now();
        let events = 0;
        for (let round = 0; round < 12; round++) {
          for (let i = 0; i < 1000; i++) job.step({ part: 'p', done: ++events, stage: 'scan p' });
          await sleep(100);
        }
        const elapsed = Date.now() - started;
        const record = await job.finish({ status: 'succeeded' });
        // One write per 250 ms tick at most, plus the last: not one per event.
        assert.ok(
          writes <= Math.ceil(elapsed / 250) + 1,
          `${writes} writes for ${events} events in ${elapsed} ms`,
        );
        assert.ok(writes >= 2, `${writes} writes: progress is written while the job runs`);
        assert.equal(record.progress.done, events);
        assert.ok((record.progress.rate ?? 0) > 500, `rate ${record.progress.rate}`);
        assert.equal((await ledger.jobs.get('job-meter')).progress.done, events);
      } finally {
        await store.close();
      }
    });
  });
}

/** The pid of a process that has exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
  return Number(child.stdout.toString());
}

async function waitFor(check: () => Promise<boolean>, what: string, timeoutMs = 30_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}
