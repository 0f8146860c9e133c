/**
 * The load side of `npm run bench -- serve-load`, run as its own process so the load generator
 * does not share an event loop with the server or the bench: one autocannon instance per path,
 * all at once, each at a fixed rate, for a fixed time. Prints one JSON line with the figures.
 *
 *   node --import tsx bench/serve-load-client.ts <base url> <token> <seconds> <rate per path> <path>...
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

function load(path: string): Promise<PathLoad> {
  const duration = Number(seconds);
  return new Promise((resolve, reject) => {
    autocannon(
      {
        url: `${url}${path}`,
        headers: { authorization: `Bearer ${token}` },
        // Enough connections that a slow answer does not hold back the next request's start
        // (autocannon waits for a free connection): the rate stays fixed, latency shows the cost.
        connections: 10,
        overallRate: Number(rate),
        duration,
        timeout: 10,
      },
      (error, result) => {
        if (error) return reject(error);
        resolve({
          path,
          requests: result.requests.total,
          rate: result.requests.total / duration,
          p50Ms: result.latency.p50,
          p99Ms: result.latency.p99,
          maxMs: result.latency.max,
          non2xx: result.non2xx,
          errors: result.errors,
          timeouts: result.timeouts,
        });
      },
    );
  });
}

const results = await Promise.all(paths.map(load));
process.stdout.write(`${JSON.stringify(results)}\n`);
