import type { AnyServerRoute } from '../server-route.js';
import { flagRoutes } from './flags.js';
import { healthRoutes } from './health.js';
import { metricsRoutes } from './metrics.js';

/**
 * Every route of `steward serve`, one group per file of this folder. A new group is a file
 * exporting an array of `defineRoute(...)` and one line here.
 */
export const serverRoutes: readonly AnyServerRoute[] = [...healthRoutes, ...flagRoutes, ...metricsRoutes];
