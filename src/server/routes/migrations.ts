import { migrateDryRunReport } from '../../workspace/migrations/migrate-dry-run-report.js';
import { migrateHistory } from '../../workspace/migrations/migrate-history.js';
import { migratePlanRead } from '../../workspace/migrations/migrate-plan.js';
import { migrateStatus } from '../../workspace/migrations/migrate-status.js';
import { defineRoute, type ServerContext } from '../server-route.js';

/** Migrations, read side: the plan, its latest dry-run report, status and history. Jobs are in jobs routes. */
export const migrationRoutes = [
  defineRoute({
    method: 'GET',
    url: '/migrations/plan',
    role: 'viewer',
    tag: 'migrations',
    summary: 'the current plan: pending migrations in order, collections, estimates and the plan hash',
    handler: async ({ server, run }) => migratePlanRead(server.config, run()),
  }),
  defineRoute({
    method: 'GET',
    url: '/migrations/dry-run',
    role: 'viewer',
    tag: 'migrations',
    summary: "the current plan's latest dry run: the ledger's record and the report",
    handler: async ({ server, run }) => migrateDryRunReport(server.config, run()),
  }),
  defineRoute({
    method: 'GET',
    url: '/migrations/status',
    role: 'viewer',
    tag: 'migrations',
    summary:
      'pending, applied and running migrations, checkpoints, the lease, the dry run, approvals, and the live progress of migration jobs',
    handler: async ({ server, run }) => ({
      ...(await migrateStatus(server.config, run())),
      jobs: await runningMigrationJobs(server),
    }),
  }),
  defineRoute<Record<string, never>, { limit: number }>({
    method: 'GET',
    url: '/migrations/history',
    role: 'viewer',
    tag: 'migrations',
    summary: 'the changelog and the audit records of migration stages (the last `limit`, 0 for all)',
    query: {
      type: 'object',
      properties: { limit: { type: 'integer', minimum: 0, maximum: 10000, default: 100 } },
      additionalProperties: false,
    },
    handler: async ({ server, query, run }) => migrateHistory(server.config, { limit: query.limit }, run()),
  }),
];

/**
 * The migration jobs running now, in this server (live progress: done, total, rate, ETA, stage)
 * or in another process sharing the ledger (progress as last written, at most a second old).
 */
async function runningMigrationJobs(server: ServerContext) {
  const { jobs } = await (await server.jobs()).list({ status: 'running', limit: 500 });
  return jobs.filter((job) => job.kind === 'migrate.apply' || job.kind === 'migrate.rollback');
}
