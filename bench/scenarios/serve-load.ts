import { type ChildProcess, execFile, spawn } from 'node:child_process';
import {
  closeSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { loadConfig } from '../../src/config/load-config.js';
import { demoApprovers, writeDemoConfig } from '../../src/demo/demo-project.js';
import { StewardError } from '../../src/errors/steward-error.js';
import { writeExampleContracts } from '../../src/example/example-contracts.js';
import { generateExample } from '../../src/example/generate-example.js';
import { openStore } from '../../src/stores/open-store.js';
import { approvalsKeygen } from '../../src/workspace/approvals.js';
import { tokensCreate } from '../../src/workspace/tokens.js';
import { resultsDir } from '../bench-stores.js';
import type { BenchContext, Scenario } from '../scenario.js';
import type { PathLoad } from '../serve-load-client.js';

const bin = join(import.meta.dirname, '../../dist/cli/main.js');
const client = join(import.meta.dirname, '../serve-load-client.ts');

/** Issue 16's read endpoints: one contract, the census, an incidents page, migration status. */
const readPaths = [
  '/contracts/cases',
  '/contracts/officers/census',
  '/incidents?of=reference&limit=50',
  '/migrations/status',
];
/** Issue 16: 200 requests per second over the four, held with p99 under 50 ms. */
const totalRate = 200;
const targetP99Ms = 50;

/**
 * `steward serve` on the example under read load while a `refs scan` of the whole example runs as
 * one of its jobs (issue 16). The built server (`npm run build` first) runs as a child process on
 * a copy of a cached SQLite example; a second child drives autocannon at a fixed rate. Seconds of
 * load: `STEWARD_BENCH_LOAD_SECONDS` (default 15; scan jobs run back to back until it ends); node flags for
 * the server (to profile it):
 * `STEWARD_BENCH_SERVE_NODE_ARGS`. SQLite only: the target names it.
 */
export const scenario: Scenario = {
  description:
    'steward serve: read endpoints at 200 rps while a refs scan job runs (issue 16; needs npm run build)',
  async run(context) {
    if (context.options.store !== 'sqlite')
      throw new StewardError('usage', 'serve-load runs on SQLite only (--store sqlite)');
    if (!existsSync(bin)) throw new StewardError('usage', `build first (npm run build): no ${bin}`);
    const example = await cachedExample(context);
    const dir = runFolder(context);
    const file = join(dir, 'steward.sqlite');
    copyFileSync(example, file);
    const configFile = writeProject(dir, file);
    const config = await loadConfig({ path: configFile });
    const token = async (role: string) =>
      (
        await tokensCreate(
          config,
          { name: `bench-${role}`, role, expiresInMs: 86_400_000 },
          { actor: 'bench' },
        )
      ).token;
    const viewer = await token('viewer');
    const operator = await token('operator');
    const server = await startServe(configFile, join(dir, 'serve.log'));
    try {
      await underLoad(context, server, viewer, operator, join(dir, 'serve.log'));
    } finally {
      await stop(server.child);
      if (!context.options.keep) rmSync(dir, { recursive: true, force: true });
    }
  },
};

/**
 * The example of `--docs` documents (seed `--seed`) as a SQLite file, generated once and kept in
 * `bench/results/cache/` (git-ignored): generating 1M documents takes minutes, and every run
 * works on a copy, so the cached file stays as generated.
 */
async function cachedExample(context: BenchContext): Promise<string> {
  const { docs, seed, batch } = context.options;
  const cached = join(resultsDir, 'cache', `example-${docs}-seed-${seed}.sqlite`);
  if (existsSync(cached)) {
    context.log(`reusing the cached example ${cached}`);
    return cached;
  }
  mkdirSync(dirname(cached), { recursive: true });
  const partial = `${cached}.partial`;
  rmSync(partial, { force: true });
  await context.measure('example-generate', async (phase) => {
    const store = await openStore({ kind: 'sqlite', file: partial });
    try {
      const manifest = await phase.time(() =>
        generateExample(store, {
          docs,
          seed,
          batchSize: batch,
          faults: { orphans: 100, drift: 100, badShape: 100 },
          onProgress: () => phase.poll(),
        }),
      );
      return manifest.total;
    } finally {
      await store.close();
    }
  });
  renameSync(partial, cached);
  return cached;
}

/** The run's own folder, beside the runner's SQLite file for it (`bench/results/tmp/<run>/`). */
function runFolder(context: BenchContext): string {
  if (context.config.kind !== 'sqlite') throw new Error('unreachable: sqlite only');
  const dir = context.config.file.replace(/\.sqlite$/, '');
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** The demo's project (config, contracts, an empty migrations folder, approver keys) around `file`. */
function writeProject(dir: string, file: string): string {
  mkdirSync(join(dir, 'keys'), { recursive: true });
  mkdirSync(join(dir, 'migrations'), { recursive: true });
  for (const approver of demoApprovers) approvalsKeygen({ out: join(dir, 'keys', approver.name) });
  writeExampleContracts(join(dir, 'contracts'));
  return writeDemoConfig(dir, file);
}

interface Serve {
  readonly child: ChildProcess;
  readonly url: string;
}

/** Starts the built `steward serve` on a free port and waits for its "listening" line. */
async function startServe(configFile: string, logFile: string): Promise<Serve> {
  const log = openSync(logFile, 'w');
  // STEWARD_BENCH_SERVE_NODE_ARGS: node flags for the server, e.g. "--cpu-prof --cpu-prof-dir=prof".
  const nodeArgs = process.env.STEWARD_BENCH_SERVE_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
  const child = spawn(process.execPath, [...nodeArgs, bin, 'serve', '--config', configFile, '--port', '0'], {
    stdio: ['ignore', log, 'pipe'],
  });
  closeSync(log);
  let stderr = '';
  const url = await new Promise<string>((resolve, reject) => {
    child.stderr!.on('data', (b) => {
      stderr += b;
      const found = /listening on (\S+) /.exec(stderr);
      if (found) resolve(found[1]!);
    });
    child.on('exit', (code) => reject(new Error(`serve exited ${code}: ${stderr}`)));
  });
  return { child, url };
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.on('exit', r));
  child.kill('SIGTERM');
  await exited;
}

/** Starts the scan job, runs the load beside it, waits for the job, and reports. */
async function underLoad(
  context: BenchContext,
  server: Serve,
  viewer: string,
  operator: string,
  logFile: string,
) {
  const seconds = Number(process.env.STEWARD_BENCH_LOAD_SECONDS ?? 15);
  const pid = server.child.pid!;
  const rssBeforeMb = rssMb(pid, 'VmRSS');
  // A running server has answered each path before: its census and loaded files are kept (see
  // docs/server.md). The first answer of each, cold, is reported apart.
  const warmUp: { path: string; ms: number }[] = [];
  for (const path of readPaths) {
    const t = performance.now();
    await call(server.url, viewer, path);
    warmUp.push({ path, ms: Math.round(performance.now() - t) });
  }
  context.log(`first answers, before the scan job: ${warmUp.map((w) => `${w.path} ${w.ms} ms`).join(', ')}`);
  // Scan jobs back to back for the whole load: a scan pushed down into SQLite ends in a few
  // seconds at 1M documents, and the target is the read paths *during* a scan.
  const startScan = async () =>
    ((await call(server.url, operator, '/refs/scan', 'POST', {})) as { job: { id: string } }).job.id;
  const jobId = await startScan();
  context.log(
    `refs scan job ${jobId} started (and another after each ends, until the load ends); ${seconds} s of load at ${totalRate} rps over ${readPaths.length} paths`,
  );
  let loadOver = false;
  let current = jobId;
  const scans: Job[] = [];
  const scanning = (async () => {
    for (let id = jobId; ; id = await startScan()) {
      current = id;
      scans.push(await finished(server.url, viewer, id, 200));
      if (loadOver) return;
    }
  })();
  let loads: PathLoad[] = [];
  await eventLoopDelay(server.url, viewer); // prom-client resets its histogram at each scrape
  const cpuBefore = cpuSeconds(pid);
  const loadStarted = Date.now();
  await context.measure('serve-load', async () => {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [
        '--import',
        'tsx',
        client,
        server.url,
        viewer,
        String(seconds),
        String(totalRate / readPaths.length),
        ...readPaths,
      ],
      { maxBuffer: 1 << 20 },
    );
    loads = JSON.parse(stdout) as PathLoad[];
    return loads.reduce((sum, l) => sum + l.requests, 0);
  });
  const loadEnded = Date.now();
  const serverCpuSeconds = cpuSeconds(pid) - cpuBefore;
  const loopDelay = await eventLoopDelay(server.url, viewer);
  const serverSide = serverTimes(logFile, loadStarted, loadEnded);
  loadOver = true;
  const jobDuringLoad = await jobOf(server.url, viewer, current);
  const peakRssMb = rssMb(pid, 'VmHWM');
  await scanning;
  const job = scans[0]!;
  const overlap =
    scans.reduce(
      (sum, j) =>
        sum +
        Math.max(
          0,
          Math.min(Date.parse(j.finishedAt ?? ''), loadEnded) -
            Math.max(Date.parse(j.startedAt ?? ''), loadStarted),
        ),
      0,
    ) / 1000;
  report(context, {
    seconds,
    loads,
    serverSide,
    jobDuringLoad,
    job,
    overlapSeconds: overlap,
    scanJobs: scans.length,
    windowSeconds: (loadEnded - loadStarted) / 1000,
    rssBeforeMb,
    peakRssMb,
    serverCpuSeconds,
    loopDelay,
    warmUp,
    loadAverage: readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' '),
  });
}

/** CPU seconds (user and system) a process has used, from /proc (clock ticks of 1/100 s). */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/**
 * The server's event-loop delay since the last scrape, in ms, from prom-client's
 * `monitorEventLoopDelay` histogram (10 ms resolution), which each scrape of `/metrics` resets:
 * the max is the longest the loop was blocked in one turn.
 */
async function eventLoopDelay(
  url: string,
  token: string,
): Promise<{ p50: number; p99: number; max: number }> {
  const response = await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${token}` } });
  const text = await response.text();
  const value = (name: string) =>
    Math.round(
      Number(new RegExp(`^nodejs_eventloop_lag_${name}_seconds (\\S+)$`, 'm').exec(text)?.[1]) * 1000,
    );
  return { p50: value('p50'), p99: value('p99'), max: value('max') };
}

interface Job {
  readonly id: string;
  readonly status: string;
  readonly startedAt?: string;
  readonly finishedAt?: string;
  readonly progress?: { readonly done?: number; readonly total?: number };
}

function report(
  context: BenchContext,
  figures: {
    seconds: number;
    loads: PathLoad[];
    serverSide: ServerTimes[];
    jobDuringLoad: Job;
    job: Job;
    overlapSeconds: number;
    scanJobs: number;
    windowSeconds: number;
    rssBeforeMb: number;
    peakRssMb: number;
    serverCpuSeconds: number;
    loopDelay: { p50: number; p99: number; max: number };
    warmUp: { path: string; ms: number }[];
    loadAverage: string;
  },
): void {
  const { loads, jobDuringLoad, job } = figures;
  const rate = loads.reduce((sum, l) => sum + l.rate, 0);
  const worstP99 = Math.max(...loads.map((l) => l.p99Ms));
  const failures = loads.reduce((sum, l) => sum + l.non2xx + l.errors + l.timeouts, 0);
  const lines = [
    `serve-load, ${context.options.docs} documents, ${figures.seconds} s of load`,
    `achieved ${rate.toFixed(1)} rps of ${totalRate}; worst p99 ${worstP99} ms (target < ${targetP99Ms}); ${failures} failed`,
    ...loads.map(
      (l) =>
        `  ${l.path.padEnd(36)} ${l.rate.toFixed(1)} rps  p50 ${l.p50Ms} ms  p99 ${l.p99Ms} ms  max ${l.maxMs} ms  ` +
        `non-2xx ${l.non2xx}  errors ${l.errors}  timeouts ${l.timeouts}`,
    ),
    'inside the server (its request log: routing, auth and handler, no queueing in the kernel):',
    ...figures.serverSide.map(
      (t) =>
        `  ${t.path.padEnd(36)} ${t.requests} requests  p50 ${t.p50Ms} ms  p99 ${t.p99Ms} ms  max ${t.maxMs} ms`,
    ),
    `scan job when the load ended: ${jobDuringLoad.status}, ${JSON.stringify(jobDuringLoad.progress ?? {})}`,
    `first scan job: ${job.status}, ${job.startedAt} to ${job.finishedAt}; ${figures.scanJobs} scan jobs back to back ran during ${figures.overlapSeconds.toFixed(1)} s of the load's ${figures.windowSeconds.toFixed(1)} s (the client's start included)`,
    `server RSS before the load ${figures.rssBeforeMb.toFixed(1)} MB, peak ${figures.peakRssMb.toFixed(1)} MB`,
    `server CPU during the load ${figures.serverCpuSeconds.toFixed(2)} s; event-loop delay p50 ${figures.loopDelay.p50} ms, p99 ${figures.loopDelay.p99} ms, max ${figures.loopDelay.max} ms; load average ${figures.loadAverage}`,
    `holds: ${rate >= totalRate * 0.98 && worstP99 < targetP99Ms && failures === 0 ? 'yes' : 'no'}`,
  ];
  console.log(lines.join('\n'));
  writeFileSync(
    join(resultsDir, `serve-load-${new Date().toISOString().replace(/[:.]/g, '-')}.json`),
    `${JSON.stringify({ options: context.options, ...figures }, null, 2)}\n`,
  );
}

interface ServerTimes {
  readonly path: string;
  readonly requests: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
}

/** Per path, the `ms` of the server's own request log lines between `from` and `to`. */
function serverTimes(logFile: string, from: number, to: number): ServerTimes[] {
  const byPath = new Map<string, number[]>();
  for (const line of readFileSync(logFile, 'utf8').split('\n')) {
    if (!line.startsWith('{')) continue;
    const entry = JSON.parse(line) as { msg?: string; path?: string; ms?: number; time?: number };
    if (entry.msg !== 'request' || entry.time === undefined || entry.time < from || entry.time > to) continue;
    const list = byPath.get(entry.path!) ?? [];
    list.push(entry.ms!);
    byPath.set(entry.path!, list);
  }
  return [...byPath].map(([path, ms]) => {
    ms.sort((a, b) => a - b);
    const at = (q: number) => ms[Math.min(ms.length - 1, Math.floor(q * ms.length))]!;
    return { path, requests: ms.length, p50Ms: at(0.5), p99Ms: at(0.99), maxMs: ms[ms.length - 1]! };
  });
}

/** Resident memory of a process from /proc, in MB: `VmRSS` now, `VmHWM` its peak so far. */
function rssMb(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1]) / 1024;
}

async function call(
  url: string,
  token: string,
  path: string,
  method = 'GET',
  body?: unknown,
): Promise<unknown> {
  const response = await fetch(`${url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text}`);
  return JSON.parse(text);
}

async function jobOf(url: string, token: string, id: string): Promise<Job> {
  return ((await call(url, token, `/jobs/${id}`)) as { job: Job }).job;
}

/** Waits for the job to end (it is not measured: the load figures are what counts here). */
async function finished(url: string, token: string, id: string, pollMs = 1000): Promise<Job> {
  for (;;) {
    const job = await jobOf(url, token, id);
    if (!['queued', 'running'].includes(job.status)) return job;
    await new Promise((r) => setTimeout(r, pollMs));
  }
}
