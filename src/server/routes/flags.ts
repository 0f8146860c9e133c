import { flagsGet, flagsList, flagsSet } from '../../workspace/flags.js';
import { defineRoute } from '../server-route.js';
import { nameParams } from './names.js';

/** Shape flags: read by viewers; set (audited, with the token's name) by admins. */
export const flagRoutes = [
  defineRoute({
    method: 'GET',
    url: '/flags',
    role: 'viewer',
    tag: 'flags',
    summary: 'every shape flag with its value, since when and set by whom',
    handler: async ({ server }) => ({ flags: await flagsList(server.config) }),
  }),
  defineRoute<{ name: string }, { history: boolean }>({
    method: 'GET',
    url: '/flags/:name',
    role: 'viewer',
    tag: 'flags',
    summary: "one shape flag's value, and with history=true every change of it",
    params: nameParams('name'),
    query: {
      type: 'object',
      properties: { history: { type: 'boolean', default: false } },
      additionalProperties: false,
    },
    handler: async ({ server, params, query }) =>
      flagsGet(server.config, { name: params.name, history: query.history }),
  }),
  defineRoute<{ name: string }, unknown, { value: string; reason: string; allowed?: string[] }>({
    method: 'PUT',
    url: '/flags/:name',
    role: 'admin',
    tag: 'flags',
    summary: 'change a shape flag (audited, with the token name as actor)',
    params: nameParams('name'),
    body: {
      type: 'object',
      properties: {
        value: { type: 'string', minLength: 1, maxLength: 128 },
        reason: { type: 'string', minLength: 1, maxLength: 1000 },
        allowed: { type: 'array', items: { type: 'string', minLength: 1, maxLength: 128 }, maxItems: 32 },
      },
      required: ['value', 'reason'],
      additionalProperties: false,
    },
    handler: async ({ server, params, body, run }) =>
      flagsSet(server.config, { name: params.name, ...body }, run()),
  }),
];
