import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import type { Registry } from 'prom-client';
import type { ResolvedConfig } from '../config/resolved-config.js';
import type { JobManager } from '../jobs/job-manager.js';
import { stewardMetrics, defaultRegistry as stewardRegistry } from '../signals/steward-metrics.js';
import { type HeldStores, holdStores } from '../workspace/held-stores.js';
import { ApiError } from './api-error.js';
import { authenticate } from './authenticate.js';
import { CensusCache, defaultCensusTtlMs } from './census-cache.js';
import { errorReply } from './error-reply.js';
import { redactedLogPaths, redactSecrets } from './redact-secrets.js';
import type { RouteRole } from './roles.js';
import { serverRoutes } from './routes/index.js';
import { ServerJobs } from './server-jobs.js';
import type { AnyServerRoute, Caller, ServerContext } from './server-route.js';
import { defaultTokenCacheMs, TokenCache } from './token-cache.js';
import { validatorCompiler } from './validator-compiler.js';

/** How `createServer` builds the server; every field has a default. */
export interface ServerOptions {
  /**
   * The Prometheus registry `/metrics` serves. Default: steward's process-wide registry
   * (`defaultRegistry`, which every capability records into), with prom-client's default process
   * metrics. Give your own, with `registerStewardMetrics(registry)`, to serve steward's metrics
   * beside your service's.
   */
  readonly registry?: Registry;
  /**
   * Logging: `false` for none, or where JSON lines go (default stdout) and from which level
   * (default `info`). One line per request; Authorization headers and tokens are censored.
   */
  readonly logger?: false | { readonly level?: string; readonly stream?: NodeJS.WritableStream };
  /** The largest request body accepted, in bytes (413 above). Default 64 KiB. */
  readonly bodyLimit?: number;
  /** More route groups, such as the job routes; each route declares its role like the built-in ones. */
  readonly routes?: readonly AnyServerRoute[];
  /**
   * The job manager the job routes use. Default: one the server opens on first use and closes
   * with itself (stopping its jobs as `interrupted`, for the next start's `recover()`).
   */
  readonly jobs?: JobManager;
  /**
   * How long a verified token is trusted before the ledger is read again, in milliseconds: the
   * longest a revoked token (`steward tokens revoke`) still works. Default 5 s; 0 reads the ledger
   * on every request.
   */
  readonly tokenCacheMs?: number;
  /** How long a census stays fresh, in milliseconds (see docs/server.md). Default 60 s. */
  readonly censusTtlMs?: number;
}

/** Where the Swagger UI is served; its static assets come from the npm package, no CDN. */
export const docsPrefix = '/docs';

declare module 'fastify' {
  interface FastifyInstance {
    /** The server's background jobs; `startServer` recovers those a killed server left. */
    stewardJobs: ServerJobs;
    /** The stores the server holds open for its routes; closed with the server. */
    stewardStores: HeldStores;
  }
  interface FastifyRequest {
    /** The authenticated caller; undefined on public routes. */
    caller: Caller | undefined;
  }
  interface FastifyContextConfig {
    /** The role a route needs; every route declares one (see `roles.ts`). */
    role?: RouteRole;
  }
}

/**
 * Builds steward's HTTP API over a resolved config: every route of `routes/` (and
 * `options.routes`), each validated by its JSON Schemas and guarded by the role it declares, the
 * OpenAPI 3.1 document at `/openapi.json` and the Swagger UI at `/docs`. Nothing listens yet:
 * call `listen` (or {@link startServer}), or `inject` in tests. Rejects, at `ready()`, a route
 * that declares no role: deny by default.
 */
export async function createServer(
  config: ResolvedConfig,
  options: ServerOptions = {},
): Promise<FastifyInstance> {
  const app = Fastify({
    logger: loggerOptions(options.logger),
    bodyLimit: options.bodyLimit ?? 64 * 1024,
    disableRequestLogging: true,
    exposeHeadRoutes: false,
    return503OnClosing: true,
  });
  app.setValidatorCompiler(validatorCompiler());
  app.decorateRequest('caller', undefined);
  // One handle per store for the server's life, closed with it: a request opens nothing.
  const held = holdStores(config);
  app.decorate('stewardStores', held);
  const tokens = new TokenCache(options.tokenCacheMs ?? defaultTokenCacheMs);
  app.addHook('onRoute', requireRole);
  await app.register(swagger, { openapi: openApiBase() });
  await app.register(swaggerUi, { routePrefix: docsPrefix, staticCSP: true });
  app.addHook('onRequest', async (request) => {
    const role = request.routeOptions.config.role;
    if (role === undefined || role === 'public') return;
    request.caller = await authenticate(held.config, request.headers.authorization, role, tokens);
  });
  app.addHook('onResponse', async (request, reply) => {
    request.log.info(
      {
        method: request.method,
        path: request.url.split('?')[0],
        status: reply.statusCode,
        ms: Math.round(reply.elapsedTime),
        actor: request.caller?.name,
      },
      'request',
    );
  });
  app.setErrorHandler(async (error, request, reply) => {
    const { status, body, internal } = errorReply(error);
    if (internal) request.log.error({ err: error }, 'request failed');
    if (status === 401) reply.header('www-authenticate', 'Bearer');
    return reply.status(status).send(body);
  });
  app.setNotFoundHandler(async (request) => {
    throw new ApiError(404, 'route.not-found', `no route ${request.method} ${request.url.split('?')[0]}`);
  });
  const jobs = new ServerJobs(config, options.jobs, {
    onChange: (job) =>
      app.log.info(
        { job: job.id, kind: job.kind, status: job.status, planHash: job.planHash, actor: job.actor },
        'job',
      ),
  });
  app.decorate('stewardJobs', jobs);
  app.addHook('onClose', () => jobs.close());
  app.addHook('onClose', () => held.close());
  const context: ServerContext = {
    config: held.config,
    census: new CensusCache(options.censusTtlMs ?? defaultCensusTtlMs),
    registry: options.registry ?? defaultRegistry(),
    jobs: () => jobs.get(),
  };
  for (const route of [...serverRoutes, ...(options.routes ?? [])]) addRoute(app, route, context);
  app.get('/openapi.json', { config: { role: 'public' }, schema: { hide: true } }, async () => app.swagger());
  return app;
}

/** Registers one route: its schemas, its role (in the route config and as `x-steward-role`), its handler. */
function addRoute(app: FastifyInstance, route: AnyServerRoute, server: ServerContext): void {
  app.route({
    method: route.method,
    url: route.url,
    config: { role: route.role },
    schema: {
      summary: route.summary,
      tags: [route.tag],
      ...(route.params ? { params: route.params } : {}),
      ...(route.query ? { querystring: route.query } : {}),
      ...(route.body ? { body: route.body } : {}),
      ...(route.hide ? { hide: true } : {}),
      security: route.role === 'public' ? [] : [{ bearer: [] }],
      'x-steward-role': route.role,
    },
    handler: async (request, reply) =>
      route.handler({
        params: request.params,
        query: request.query ?? {},
        body: request.body,
        caller: request.caller,
        server,
        reply,
        run: (extra = {}) => ({ ...extra, actor: actorOf(request) }),
      }),
  });
}

/** The actor of a call's audit records: the token's name. Public routes write nothing. */
function actorOf(request: FastifyRequest): string {
  if (!request.caller) throw new ApiError(500, 'internal', 'a public route tried to act');
  return request.caller.name;
}

/**
 * Deny by default: a route that declares no role stops the server from starting. The Swagger
 * UI's own routes (its page and static assets) are public.
 */
function requireRole(route: { url: string; config?: { role?: RouteRole } }): void {
  if (route.config?.role) return;
  if (route.url === docsPrefix || route.url.startsWith(`${docsPrefix}/`)) {
    route.config = { ...route.config, role: 'public' };
    return;
  }
  throw new Error(`route ${route.url} declares no role; every route of steward serve must`);
}

function openApiBase() {
  return {
    openapi: '3.1.0',
    info: {
      title: 'steward',
      version: '0.1.0',
      description: 'The HTTP API of steward: contracts, integrity, derived state, migrations.',
    },
    components: {
      securitySchemes: { bearer: { type: 'http' as const, scheme: 'bearer' } },
    },
  };
}

function loggerOptions(logger: ServerOptions['logger']) {
  if (logger === false) return false;
  return {
    level: logger?.level ?? 'info',
    redact: { paths: redactedLogPaths, censor: '[redacted]' },
    // An error's message or stack may quote a connection string or a token: scrub them too.
    serializers: {
      err: (error: Error) => ({
        type: error.name,
        message: redactSecrets(error.message),
        stack: redactSecrets(error.stack ?? ''),
      }),
    },
    ...(logger?.stream ? { stream: logger.stream } : {}),
  };
}

function defaultRegistry(): Registry {
  stewardMetrics({ processMetrics: true });
  return stewardRegistry;
}
