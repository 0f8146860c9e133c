import { derivedStatus } from '../../workspace/derived/derived-status.js';
import { defineRoute } from '../server-route.js';
import { nameSchema } from './names.js';

/** Derived state, read side: freshness against policy. Checks, repairs and rebuilds are job routes. */
export const derivedRoutes = [
  defineRoute<Record<string, never>, { derived?: string[] }>({
    method: 'GET',
    url: '/derived/status',
    role: 'viewer',
    tag: 'derived',
    summary: 'freshness of derived state against its policy (oldest projection, lag, open drift incidents)',
    query: {
      type: 'object',
      properties: { derived: { type: 'array', items: nameSchema, maxItems: 100 } },
      additionalProperties: false,
    },
    handler: async ({ server, query, run }) =>
      derivedStatus(server.config, query.derived ? { derived: query.derived } : {}, run()),
  }),
];
