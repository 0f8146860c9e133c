import type { FastifyInstance } from 'fastify';
import type { ResolvedConfig } from '../config/resolved-config.js';
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
  await app.listen({ host, port: options.port ?? defaultPort });
  await recoverJobs(app);
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : (options.port ?? defaultPort);
  const shown = host.includes(':') ? `[${host}]` : host;
  return { app, url: `http://${shown}:${port}`, close: () => app.close() };
}

/**
 * Resumes the jobs a killed server left running (see `JobManager.recover`). A ledger that cannot
 * be reached now is logged, not fatal: the server still answers, `/readyz` says what is down,
 * and `POST /jobs/{id}/resume` resumes such a job later.
 */
async function recoverJobs(app: FastifyInstance): Promise<void> {
  try {
    const recovered = await (await app.stewardJobs.get()).recover();
    for (const job of recovered)
      app.log.info({ job: job.id, kind: job.kind, status: job.status }, 'job recovered');
  } catch (error) {
    app.log.warn({ err: error }, 'could not recover the jobs a previous server left running');
  }
}
