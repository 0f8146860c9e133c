import type { FastifyInstance } from 'fastify';
import type { ResolvedConfig } from '../config/resolved-config.js';
import { StewardError } from '../errors/steward-error.js';
import { createServer, type ServerOptions } from './create-server.js';

/** Where `startServer` listens: loopback and port 7373 unless told otherwise. */
export interface ListenOptions extends ServerOptions {
  readonly host?: string;
  /** 0 picks a free port. */
  readonly port?: number;
}

/** A listening server: its address, and `close` to stop it. */
export interface RunningServer {
  readonly app: FastifyInstance;
  readonly url: string;
  close(): Promise<void>;
}

export const defaultHost = '127.0.0.1';
export const defaultPort = 7373;

/** Builds the server ({@link createServer}) and listens. Loopback by default; another host is the caller's choice. */
export async function startServer(
  config: ResolvedConfig,
  options: ListenOptions = {},
): Promise<RunningServer> {
  const app = await createServer(config, options);
  const host = options.host ?? defaultHost;
  try {
    await app.listen({ host, port: options.port ?? defaultPort });
  } catch (error) {
    await app.close();
    throw listenError(error, host, options.port ?? defaultPort);
  }
  await recoverJobs(app);
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : (options.port ?? defaultPort);
  const shown = host.includes(':') ? `[${host}]` : host;
  return { app, url: `http://${shown}:${port}`, close: () => app.close() };
}

const listenProblems: Readonly<Record<string, string>> = {
  EADDRINUSE: 'the port is in use: stop what listens there or choose another with --port',
  EACCES: 'this user may not listen on that port: choose one above 1023 with --port',
  EADDRNOTAVAIL: 'no network interface of this machine has that address: check --host',
  ENOTFOUND: 'the host name does not resolve: check --host',
};

/** A usage error for the mistakes a person makes when choosing where to listen; others as they are. */
function listenError(error: unknown, host: string, port: number): unknown {
  const code = (error as NodeJS.ErrnoException).code;
  const problem = code ? listenProblems[code] : undefined;
  return problem
    ? new StewardError('usage', `cannot listen on ${host}:${port}: ${problem}`, { field: 'port' })
    : error;
}

/**
 * Resumes the jobs a killed server left running (see `JobManager.recover`). A ledger that cannot
 * be reached now is logged, not fatal: the server still answers, `/readyz` says what is down,
 * and `POST /jobs/{id}/resume` resumes such a job later.
 */
async function recoverJobs(app: FastifyInstance): Promise<void> {
  try {
    const jobs = await app.stewardJobs.get();
    for (const job of await jobs.recover()) {
      const fields = { job: job.id, kind: job.kind, status: job.status };
      if (jobs.runsHere(job)) app.log.info(fields, 'job recovered');
      else app.log.info({ ...fields, pid: job.owner?.pid, host: job.owner?.host }, 'job running elsewhere');
    }
  } catch (error) {
    app.log.warn({ err: error }, 'could not recover the jobs a previous server left running');
  }
}
