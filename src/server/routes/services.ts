import { serviceView } from '../../workspace/contracts/service-view.js';
import { defineRoute } from '../server-route.js';
import { nameParams } from './names.js';

/** A service's view: what it owns, reads and writes, and the migrations and deprecations that concern it. */
export const serviceRoutes = [
  defineRoute<{ name: string }>({
    method: 'GET',
    url: '/services/:name',
    role: 'viewer',
    tag: 'services',
    summary:
      'collections a service owns, reads and writes, fields it declared, schema versions it must understand, and the migrations and deprecations that concern it',
    params: nameParams('name'),
    handler: async ({ server, params, run }) => serviceView(server.config, { name: params.name }, run()),
  }),
];
