import { isStewardError, StewardError } from '../../errors/steward-error.js';
import {
  driftCheckInputSchema,
  driftRepairInputSchema,
  migrateApplyInputSchema,
  migrateRollbackInputSchema,
  refsRepairInputSchema,
  refsScanInputSchema,
} from '../../jobs/job-input-schemas.js';
import type { JobKind } from '../../jobs/job-kinds.js';
import type { JobRecord, JobStatus } from '../../ledger/job-records.js';
import { defineRoute, type JsonSchema, type RouteCall } from '../server-route.js';

/** The path parameter of one job: ids as the job manager makes them. */
const jobParams: JsonSchema = {
  type: 'object',
  properties: { id: { type: 'string', minLength: 5, maxLength: 80, pattern: '^job-[A-Za-z0-9-]+$' } },
  required: ['id'],
  additionalProperties: false,
};

const listQuery: JsonSchema = {
  type: 'object',
  properties: {
    limit: { type: 'integer', minimum: 1, maximum: 500, default: 50 },
    after: { type: 'string', minLength: 5, maxLength: 80, pattern: '^job-[A-Za-z0-9-]+$' },
    status: { type: 'string', enum: ['queued', 'running', 'paused', 'succeeded', 'failed', 'interrupted'] },
  },
  additionalProperties: false,
};

/**
 * A route that starts a job of `kind` with the body as its input: 202 with the job record and
 * `Location: /jobs/{id}`. The job is not tied to the request: it runs on when the client goes.
 */
function startRoute(url: string, kind: JobKind, body: JsonSchema, summary: string) {
  return defineRoute<Record<string, string>, unknown, Record<string, unknown> | undefined>({
    method: 'POST',
    url,
    role: 'operator',
    tag: 'jobs',
    summary,
    body,
    handler: async (call) => {
      const job = await started(call, kind);
      call.reply.status(202).header('location', `/jobs/${job.id}`);
      return { job };
    },
  });
}

/**
 * Pages a server job reads when the body does not say: smaller than the library's defaults (1000
 * source documents for a reference scan, 500 derived documents for a drift check). A job runs on
 * the server's event loop and gives it a turn after each page read, so the page is how long a
 * request may wait behind the job, once for each store read it makes: at 1000 documents a turn
 * blocked the loop for 20 ms and more (issue 16, BENCHMARKS.md). The job does the same work in
 * more, shorter turns.
 */
export const serverJobPages: Partial<Record<JobKind, { readonly batch: number }>> = {
  'refs.scan': { batch: 250 },
  'drift.check': { batch: 250 },
};

function withServerPages(kind: JobKind, body: unknown): unknown {
  const pages = serverJobPages[kind];
  if (body === undefined || body === null) return { ...pages };
  if (!pages || typeof body !== 'object' || Array.isArray(body)) return body; // the job refuses it, naming the field
  return { ...pages, ...body };
}

async function started(
  { server, body, caller }: RouteCall<Record<string, string>, unknown, Record<string, unknown> | undefined>,
  kind: JobKind,
): Promise<JobRecord> {
  const jobs = await server.jobs();
  try {
    return await jobs.start(kind, withServerPages(kind, body), caller ? { actor: caller.name } : {});
  } catch (error) {
    // The library names the field of its input; here the input is the body.
    if (isStewardError(error, 'input.invalid') && typeof error.details.field === 'string') {
      const field = `body.${error.details.field}`;
      throw new StewardError(error.code, error.message, { ...error.details, field });
    }
    throw error;
  }
}

/**
 * Background jobs: operators start migrations, scans, drift checks and repairs, and pause and
 * resume them; viewers follow them (live progress: documents done, total, rate, ETA, stage).
 */
export const jobRoutes = [
  startRoute(
    '/migrations/apply',
    'migrate.apply',
    migrateApplyInputSchema,
    'start migrate apply as a background job',
  ),
  startRoute(
    '/migrations/rollback',
    'migrate.rollback',
    migrateRollbackInputSchema,
    'start migrate rollback as a background job',
  ),
  startRoute('/refs/scan', 'refs.scan', refsScanInputSchema, 'start a reference scan as a background job'),
  startRoute(
    '/refs/repair',
    'refs.repair',
    refsRepairInputSchema,
    'start a reference repair as a background job',
  ),
  startRoute('/drift/check', 'drift.check', driftCheckInputSchema, 'start a drift check as a background job'),
  startRoute(
    '/drift/repair',
    'drift.repair',
    driftRepairInputSchema,
    'start a drift repair as a background job',
  ),
  defineRoute<Record<string, string>, { limit: number; after?: string; status?: JobStatus }>({
    method: 'GET',
    url: '/jobs',
    role: 'viewer',
    tag: 'jobs',
    summary: 'background jobs, newest first, paged by the cursor `next`',
    query: listQuery,
    handler: async ({ server, query }) => (await server.jobs()).list(query),
  }),
  defineRoute<{ id: string }>({
    method: 'GET',
    url: '/jobs/:id',
    role: 'viewer',
    tag: 'jobs',
    summary: 'one job: status, live progress (done, total, rate, ETA, stage), result or error',
    params: jobParams,
    handler: async ({ server, params }) => ({ job: await (await server.jobs()).get(params.id) }),
  }),
  defineRoute<{ id: string }>({
    method: 'POST',
    url: '/jobs/:id/pause',
    role: 'operator',
    tag: 'jobs',
    summary: 'pause a running job after its batch in flight (checkpointed)',
    params: jobParams,
    handler: async ({ server, params }) => ({ job: await (await server.jobs()).pause(params.id) }),
  }),
  defineRoute<{ id: string }>({
    method: 'POST',
    url: '/jobs/:id/resume',
    role: 'operator',
    tag: 'jobs',
    summary: 'resume a paused, interrupted or failed job from its checkpoint',
    params: jobParams,
    handler: async ({ server, params, reply }) => {
      const job = await (await server.jobs()).resume(params.id);
      reply.status(202);
      return { job };
    },
  }),
];
