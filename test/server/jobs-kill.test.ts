/**
 * Jobs through a real `steward serve` (the built CLI, a child process on a free port), on the
 * example's migration, on every store (STEWARD_CRASH_STORES narrows them; FerretDB gets a smaller
 * example at lower rates, so its jobs last about as long):
 * - a migration started through the API, the server SIGKILLed mid-apply and two servers started
 *   at once on the same ledger: exactly one resumes the job on recovery (the other logs it as
 *   running elsewhere), and it ends with the documents of an uninterrupted apply;
 *   `/migrations/status` shows the running job's live progress;
 * - a CLI `migrate apply` and a server job exclude each other, either way round.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseFilter } from '../../src/core/filter.js';
import { exampleCounts } from '../../src/example/example-rows.js';
import type { JobRecord } from '../../src/ledger/job-records.js';
import type { StoreKind } from '../../src/stores/store.js';
import { countDocuments } from '../../src/workspace/documents.js';
import { migrateApply } from '../../src/workspace/migrations/migrate-apply.js';
import { tokensCreate } from '../../src/workspace/tokens.js';
import { type JobProject, jobProject } from '../jobs/job-project.js';
import { crashKinds } from '../support/kill-loop.js';
import { runSteward, stewardBin } from '../support/run-steward.js';
import { allKinds } from '../support/test-stores.js';

/**
 * The example's size and the apply rates (documents per second) per store: FerretDB 1.x reads
 * the whole collection for each page, so it gets 280 subjects instead of 980, at lower rates.
 */
const sizes: Record<StoreKind, { docs: number; rate: number; cliRate: number }> = {
  sqlite: { docs: 14_000, rate: 250, cliRate: 150 },
  dynamodb: { docs: 14_000, rate: 250, cliRate: 150 },
  mongodb: { docs: 4000, rate: 70, cliRate: 40 },
};

for (const kind of crashKinds(allKinds)) {
  const { docs, rate, cliRate } = sizes[kind];
  const subjects = exampleCounts(docs).subjects;
  /** Subjects at schema version 2 in the project. */
  const migratedSubjects = async (project: JobProject): Promise<number> => {
    const where = parseFilter({ schemaVersion: 2 });
    return (await countDocuments(project.config, { collection: 'subjects', where })).count;
  };
  describe(`jobs through steward serve on ${kind}`, () => {
    const servers: Server[] = [];
    const projects: JobProject[] = [];
    after(async () => {
      for (const server of servers) server.child.kill('SIGKILL');
      for (const project of projects) await project.cleanup();
    });

    test('a migration started through the API survives a SIGKILL of the server: of two servers restarted at once exactly one resumes it, and it ends as an uninterrupted apply', async () => {
      const { project, token } = await servedProject(kind, docs, projects);
      const first = await serve(project, servers);
      const api = client(first.url, token);
      const start = await api('POST', '/migrations/apply', { rate });
      assert.equal(start.status, 202, JSON.stringify(start.body));
      const id = (start.body as { job: JobRecord }).job.id;

      // Mid-way through the rest of the subjects, as /migrations/status shows it live.
      const live = await until(async () => {
        const status = (await api('GET', '/migrations/status')).body as { jobs: JobRecord[] };
        const job = status.jobs.find((j) => j.id === id);
        return job && /rest subjects/.test(job.progress.stage ?? '') && job.progress.done > subjects / 5
          ? job
          : undefined;
      }, 'the apply to be mid-way');
      assert.equal(live.status, 'running');
      assert.ok(
        live.progress.total !== undefined && live.progress.total >= subjects,
        JSON.stringify(live.progress),
      );
      assert.ok((live.progress.rate ?? 0) > 0, JSON.stringify(live.progress));
      assert.ok(live.progress.etaSeconds !== undefined, JSON.stringify(live.progress));
      first.child.kill('SIGKILL');
      await once(first.child, 'exit');
      const migrated = await migratedSubjects(project);
      assert.ok(
        migrated > 0 && migrated < subjects,
        `killed with ${migrated} of ${subjects} subjects migrated`,
      );

      // Two servers on the same ledger at once: both find the job on recovery, one claims it.
      const restarted = await Promise.all([serve(project, servers), serve(project, servers)]);
      const said = await Promise.all(restarted.map((server) => recoveryLine(server, id)));
      assert.deepEqual(said.toSorted(), ['job recovered', 'job running elsewhere'], JSON.stringify(said));
      const second = restarted[said.indexOf('job recovered')]!;
      const again = client(second.url, token);
      const done = await until(
        async () => {
          const job = ((await again('GET', `/jobs/${id}`)).body as { job: JobRecord }).job;
          return job.status === 'running' ? undefined : job;
        },
        'the recovered job to end',
        180_000,
      );
      assert.equal(done.status, 'succeeded', JSON.stringify(done));
      assert.equal(done.runs, 2);
      assert.equal((done.result as { report: { status: string } }).report.status, 'applied');
      assert.equal(await migratedSubjects(project), subjects);
      for (const server of restarted) {
        server.child.kill('SIGTERM');
        await once(server.child, 'exit');
      }

      const reference = await jobProject(kind, docs, { batchSize: 100 });
      projects.push(reference);
      await reference.approvePlan();
      assert.equal((await migrateApply(reference.config)).report.status, 'applied');
      assert.deepEqual(await project.checksums(), await reference.checksums());
    });

    test('a CLI migrate apply and a server job on the same collections exclude each other', async () => {
      const { project, token } = await servedProject(kind, docs, projects);
      const server = await serve(project, servers);
      const api = client(server.url, token);

      // The CLI first: the server refuses to start a migration (409), and starts nothing.
      const cli = spawn(process.execPath, [stewardBin, 'migrate', 'apply', '--rate', String(cliRate)], {
        cwd: project.dir,
        stdio: 'ignore',
      });
      await until(
        async () => ((await api('GET', '/migrations/status')).body as { lease: unknown }).lease,
        'the CLI to hold the lease',
      );
      const refused = await api('POST', '/migrations/apply', {});
      assert.equal(refused.status, 409, JSON.stringify(refused.body));
      assert.equal((refused.body as { error: { code: string } }).error.code, 'lease.held');
      assert.deepEqual(((await api('GET', '/jobs')).body as { jobs: unknown[] }).jobs, []);
      cli.kill('SIGINT');
      const [code] = await once(cli, 'exit');
      // The CLI pauses at its batch boundary on SIGINT (its exit code for a paused apply is 0).
      assert.ok(code === 0 || code === 130, `the CLI exited ${code}`);
      assert.ok((await migratedSubjects(project)) < subjects, 'the CLI stopped mid-apply');

      // Then the server: its job goes on from the CLI's checkpoint; a CLI apply meanwhile is refused.
      const start = await api('POST', '/migrations/apply', { rate: cliRate });
      assert.equal(start.status, 202, JSON.stringify(start.body));
      const id = (start.body as { job: JobRecord }).job.id;
      await until(
        async () => ((await api('GET', '/migrations/status')).body as { lease: unknown }).lease,
        'the job to hold the lease',
      );
      const second = await runSteward(['migrate', 'apply'], { cwd: project.dir });
      assert.equal(second.code, 1, second.stdout + second.stderr);
      assert.match(second.stderr, /lease "migrate" is held by/);
      const done = await until(
        async () => {
          const job = ((await api('GET', `/jobs/${id}`)).body as { job: JobRecord }).job;
          return job.status === 'running' ? undefined : job;
        },
        'the job to end',
        180_000,
      );
      assert.equal(done.status, 'succeeded', JSON.stringify(done));
      assert.equal((done.result as { report: { status: string; resumed: boolean } }).report.resumed, true);
      assert.equal(await migratedSubjects(project), subjects);
      server.child.kill('SIGTERM');
      await once(server.child, 'exit');
    });
  });
}

interface Server {
  readonly child: ChildProcess;
  readonly url: string;
  /** What the server logged on stdout so far, one JSON object per line. */
  readonly log: () => { msg?: string; job?: string }[];
}

/** A project with its config file, the plan approved, and an operator token. */
async function servedProject(kind: StoreKind, docs: number, projects: JobProject[]) {
  const project = await jobProject(kind, docs, { batchSize: 100 });
  projects.push(project);
  writeFileSync(join(project.dir, 'steward.config.json'), JSON.stringify(project.raw, null, 2));
  await project.approvePlan();
  const { token } = await tokensCreate(
    project.config,
    { name: 'ops', role: 'operator', expiresInMs: 3_600_000 },
    { actor: 'setup' },
  );
  return { project, token };
}

/**
 * Starts `steward serve --port 0` in the project and waits for the address it listens on (it
 * listens once its recovery of left jobs is done and logged).
 */
async function serve(project: JobProject, servers: Server[]): Promise<Server> {
  const child = spawn(process.execPath, [stewardBin, 'serve', '--port', '0'], {
    cwd: project.dir,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  child.stdout?.on('data', (chunk) => {
    stdout += chunk;
  });
  const log = () =>
    stdout
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as { msg?: string; job?: string });
  let stderr = '';
  const url = await new Promise<string>((resolve, reject) => {
    child.stderr?.on('data', (chunk) => {
      stderr += chunk;
      const found = /listening on (http:\/\/\S+)/.exec(stderr);
      if (found) resolve(found[1]!);
    });
    child.on('exit', (code) => reject(new Error(`steward serve exited ${code}: ${stderr}`)));
  });
  const server = { child, url, log };
  servers.push(server);
  return server;
}

/** What the server logged about job `id` on recovery: `job recovered` or `job running elsewhere`. */
function recoveryLine(server: Server, id: string): Promise<string> {
  return until(
    async () =>
      server
        .log()
        .filter((line) => line.job === id)
        .map((line) => line.msg)
        .find((msg) => msg === 'job recovered' || msg === 'job running elsewhere'),
    `the server's recovery line about job ${id}`,
    10_000,
  );
}

function client(base: string, token: string) {
  return async (method: string, path: string, body?: unknown): Promise<{ status: number; body: unknown }> => {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: res.status, body: await res.json() };
  };
}

async function until<T>(
  check: () => Promise<T | undefined | null>,
  what: string,
  timeoutMs = 60_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}
