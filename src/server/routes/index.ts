import type { AnyServerRoute } from '../server-route.js';
import { approvalRoutes } from './approvals.js';
import { auditRoutes } from './audit.js';
import { contractRoutes } from './contracts.js';
import { derivedRoutes } from './derived.js';
import { flagRoutes } from './flags.js';
import { healthRoutes } from './health.js';
import { incidentRoutes } from './incidents.js';
import { jobRoutes } from './jobs.js';
import { metricsRoutes } from './metrics.js';
import { migrationRoutes } from './migrations.js';
import { serviceRoutes } from './services.js';

/**
 * Every route of `steward serve`, one group per file of this folder. A new group is a file
 * exporting an array of `defineRoute(...)` and one line here.
 */
export const serverRoutes: readonly AnyServerRoute[] = [
  ...healthRoutes,
  ...contractRoutes,
  ...serviceRoutes,
  ...migrationRoutes,
  ...jobRoutes,
  ...approvalRoutes,
  ...incidentRoutes,
  ...derivedRoutes,
  ...flagRoutes,
  ...auditRoutes,
  ...metricsRoutes,
];
