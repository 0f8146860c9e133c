/**
 * The load side of `npm run bench -- serve-load`, run as its own process so the load generator
 * does not share an event loop with the server or the bench. Prints one JSON line with the figures.
 *
 *   node --import tsx bench/serve-load-client.ts <base url> <token> <seconds> <rate per path> <path>...
 *
 * autocannon limits a rate per second and per connection: each connection sends its quota back
 * to back when its one-second tick fires, then waits for the next tick. One instance at 50 rps
 * with 10 connections is therefore a burst of 50 requests at the top of every second, not 50 a
 * second. To come close to a steady rate, each path gets `spread` single-connection instances at
 * `rate / spread` each, started `1000 / spread` ms apart (and the paths offset from each other).
 * Latency is taken from every response here (autocannon's `response` event): autocannon's own
 * percentiles correct for coordinated omission with an expected interval of 1 ms (`1 / rate`
 * rounded up), which back-fills a slow answer with hundreds of made-up samples.
 */
import autocannon from 'autocannon';

/** What one path got: the rate achieved, latency percentiles in ms, and every kind of failure. */
export interface PathLoad {
  readonly path: string;
  readonly requests: number;
  readonly rate: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  readonly non2xx: number;
  readonly errors: number;
  readonly timeouts: number;
}

const [url, token, seconds, rate, ...paths] = process.argv.slice(2);
if (!url || !token || !seconds || !rate || paths.length === 0)
  throw new Error('usage: serve-load-client.ts <url> <token> <seconds> <rate per path> <path>...');
const duration = Number(seconds);
const perPath = Number(rate);
const spread = Math.min(10, perPath);

interface Tally {
  latencies: number[];
  non2xx: number;
  errors: number;
  timeouts: number;
}

/** One single-connection autocannon instance on `path`, started after `delayMs`. */
async function instance(path: string, instanceRate: number, delayMs: number, tally: Tally): Promise<void> {
  await new Promise((r) => setTimeout(r, delayMs));
  await new Promise<void>((resolve, reject) => {
    const run = autocannon(
      {
        url: `${url}${path}`,
        headers: { authorization: `Bearer ${token}` },
        connections: 1,
        overallRate: instanceRate,
        duration,
        timeout: 10,
      },
      (error, result) => {
        if (error) return reject(error);
        tally.errors += result.errors - result.timeouts;
        tally.timeouts += result.timeouts;
        resolve();
      },
    );
    run.on('response', (_client, statusCode, _bytes, responseTime) => {
      tally.latencies.push(responseTime);
      if (statusCode < 200 || statusCode > 299) tally.non2xx += 1;
    });
  });
}

async function load(path: string, index: number): Promise<PathLoad> {
  const tally: Tally = { latencies: [], non2xx: 0, errors: 0, timeouts: 0 };
  const step = 1000 / spread;
  const offset = (index * step) / paths.length;
  await Promise.all(
    Array.from({ length: spread }, (_, i) =>
      instance(path, Math.round(perPath / spread), offset + i * step, tally),
    ),
  );
  const ms = tally.latencies.sort((a, b) => a - b);
  const tenth = (n: number | undefined) => (n === undefined ? Number.NaN : Math.round(n * 10) / 10);
  const at = (q: number) => tenth(ms[Math.min(ms.length - 1, Math.floor(q * ms.length))]);
  return {
    path,
    requests: ms.length,
    rate: ms.length / duration,
    p50Ms: at(0.5),
    p99Ms: at(0.99),
    maxMs: tenth(ms[ms.length - 1]),
    non2xx: tally.non2xx,
    errors: tally.errors,
    timeouts: tally.timeouts,
  };
}

const results = await Promise.all(paths.map(load));
process.stdout.write(`${JSON.stringify(results)}\n`);
