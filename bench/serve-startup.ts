/**
 * `steward serve` on the demo's example: how long from process start to listening, and the idle
 * RSS after a few requests. Issue 16 asks for under 1 s and under 150 MB. Run after `npm run build`:
 *
 *   node --import tsx bench/serve-startup.ts [--rounds 3] [--docs 2000]
 *
 * It builds the example with the built CLI's `steward demo` in a temporary folder, then starts
 * the built `steward serve` there `rounds` times. A bench, not a test: it prints figures.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const bin = join(import.meta.dirname, '../dist/cli/main.js');
const { values } = parseArgs({ options: { rounds: { type: 'string' }, docs: { type: 'string' } } });
const rounds = Number(values.rounds ?? 3);
const docs = values.docs ?? '2000';

const dir = mkdtempSync(join(tmpdir(), 'steward-serve-bench-'));
const demo = execFileSync(process.execPath, [bin, 'demo', '--docs', docs], { cwd: dir, encoding: 'utf8' });
const config = /steward serve --config (\S+)/.exec(demo)?.[1];
const token = /viewer token \([^)]*\): +(stw_\S+)/.exec(demo)?.[1];
if (!config || !token) throw new Error(`the demo did not print how to serve:\n${demo}`);

/** Starts the server, waits for "listening", calls a few routes, idles, reads VmRSS, stops it. */
async function round(): Promise<{ startMs: number; cpuMs: number; rssMb: number }> {
  const started = performance.now();
  const child = spawn(process.execPath, [bin, 'serve', '--config', config!, '--port', '0'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  const url = await new Promise<string>((resolve, reject) => {
    child.stderr.on('data', (b) => {
      stderr += b;
      const found = /listening on (\S+) /.exec(stderr);
      if (found) resolve(found[1]!);
    });
    child.on('exit', (code) => reject(new Error(`serve exited ${code}: ${stderr}`)));
  });
  const startMs = performance.now() - started;
  const cpuMs = cpuMsOf(child.pid!);
  const headers = { authorization: `Bearer ${token}` };
  for (const path of [
    '/readyz',
    '/contracts',
    '/contracts/subjects/schema-version',
    '/migrations/status',
    '/incidents?limit=10',
  ])
    await (await fetch(`${url}${path}`, { headers })).text();
  await new Promise((r) => setTimeout(r, 3000));
  const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
  const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1]);
  const exited = new Promise((r) => child.on('exit', r));
  child.kill('SIGTERM');
  await exited;
  return { startMs, cpuMs, rssMb: rssKb / 1024 };
}

/** CPU time (user + system) a process has used so far, from /proc: wall time lies on a loaded machine. */
function cpuMsOf(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  return (ticks * 1000) / 100;
}

const results = [];
for (let i = 0; i < rounds; i++) results.push(await round());
console.log(`steward serve on the demo example (${docs} documents), ${rounds} rounds`);
console.log(`start to listening (ms): ${results.map((r) => r.startMs.toFixed(0)).join(', ')}`);
console.log(`CPU time to listening (ms): ${results.map((r) => r.cpuMs.toFixed(0)).join(', ')}`);
console.log(`idle RSS after 5 requests (MB): ${results.map((r) => r.rssMb.toFixed(1)).join(', ')}`);
