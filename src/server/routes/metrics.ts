import { defineRoute } from '../server-route.js';

/** `/metrics`: the Prometheus registry given to the server, in its text format. */
export const metricsRoutes = [
  defineRoute({
    method: 'GET',
    url: '/metrics',
    role: 'viewer',
    tag: 'signals',
    summary: 'Prometheus metrics (text exposition format)',
    handler: async ({ server, reply }) => {
      reply.type(server.registry.contentType);
      return server.registry.metrics();
    },
  }),
];
