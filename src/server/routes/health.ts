import { storesReady } from '../../workspace/stores-ready.js';
import { defineRoute } from '../server-route.js';

/** `/healthz` and `/readyz`: public, for probes that carry no token. */
export const healthRoutes = [
  defineRoute({
    method: 'GET',
    url: '/healthz',
    role: 'public',
    tag: 'health',
    summary: 'the process answers',
    handler: async () => ({ ok: true }),
  }),
  defineRoute({
    method: 'GET',
    url: '/readyz',
    role: 'public',
    tag: 'health',
    summary: 'every configured store answers a ping; 503 naming the stores that do not',
    handler: async ({ server, reply }) => {
      const stores = (await storesReady(server.config, { timeoutMs: 3000 })).map(({ store, kind, ok }) => ({
        store,
        kind,
        ok,
      }));
      const down = stores.filter((s) => !s.ok).map((s) => s.store);
      if (down.length > 0) reply.status(503);
      return { ok: down.length === 0, stores, ...(down.length > 0 ? { unreachable: down } : {}) };
    },
  }),
];
