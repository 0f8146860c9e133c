import { ExitCode, StewardError } from '../../errors/steward-error.js';
import type { Command } from '../command.js';
import { configFor } from '../config-for.js';
import { intOption } from '../int-option.js';

const loopbacks = new Set(['127.0.0.1', '::1', 'localhost']);

/** `steward serve`: the HTTP API on the config, until SIGINT or SIGTERM. */
export const serveCommand: Command = {
  path: ['serve'],
  summary: 'serve the HTTP API (OpenAPI at /openapi.json, UI at /docs) with API tokens and roles',
  usage: '[--host 127.0.0.1] [--port 7373]',
  description:
    'Listens on loopback unless --host says otherwise (then it warns). Every route but /healthz,\n' +
    '/readyz, /openapi.json and /docs needs "Authorization: Bearer <token>" from\n' +
    '"steward tokens create". Logs one JSON line per request on stdout. See docs/server.md.',
  options: { host: { type: 'string' }, port: { type: 'string' } },
  optionHelp: {
    host: 'address to listen on (default 127.0.0.1, loopback only)',
    port: 'port to listen on (default 7373; 0 picks a free one)',
  },
  async run(ctx) {
    const host = typeof ctx.options.host === 'string' ? ctx.options.host : '127.0.0.1';
    if (host.trim() === '') throw new StewardError('usage', '--host needs an address, such as 127.0.0.1');
    const port = intOption(ctx, 'port', 7373);
    if (port > 65535) throw new StewardError('usage', `--port must be at most 65535 (got ${port})`);
    const config = await configFor(ctx);
    // Loaded only here, so other commands never load the HTTP stack.
    const { startServer } = await import('../../server/start-server.js');
    if (!loopbacks.has(host))
      ctx.output.error(`warning: listening on ${host}, not loopback: anyone who can reach it may try tokens`);
    const server = await startServer(config, { host, port });
    ctx.output.error(
      `listening on ${server.url} (OpenAPI at ${server.url}/openapi.json, UI at ${server.url}/docs)`,
    );
    await untilStopped();
    await server.close();
    return ExitCode.ok;
  },
};

/** Resolves on the first SIGINT or SIGTERM. */
function untilStopped(): Promise<void> {
  return new Promise((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}
