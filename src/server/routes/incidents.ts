import type { IncidentStatus } from '../../ledger/incidents.js';
import { incidentsList } from '../../workspace/integrity/incidents-list.js';
import { defineRoute } from '../server-route.js';
import { nameSchema, pagingProperties } from './names.js';
import { durationSchema, queryDuration, queryFilter } from './query-filter.js';

interface IncidentsQuery {
  of?: 'reference' | 'derived';
  subject?: string;
  status?: IncidentStatus;
  minAge?: string;
  maxAge?: string;
  where?: string;
  offset: number;
  limit: number;
}

/** Incidents (orphans and drift), filtered and paged. Scans, checks and repairs are job routes. */
export const incidentRoutes = [
  defineRoute<Record<string, never>, IncidentsQuery>({
    method: 'GET',
    url: '/incidents',
    role: 'viewer',
    tag: 'incidents',
    summary:
      'incidents of references (orphans) and derived state (drift): by subject, status, age and a portable filter (`where`, JSON), paged by offset and limit with the total',
    query: {
      type: 'object',
      properties: {
        of: { type: 'string', enum: ['reference', 'derived'] },
        subject: nameSchema,
        status: { type: 'string', enum: ['open', 'closed'] },
        minAge: durationSchema,
        maxAge: durationSchema,
        where: { type: 'string', maxLength: 4096 },
        ...pagingProperties,
      },
      additionalProperties: false,
    },
    handler: async ({ server, query, run }) => {
      const where = queryFilter(query.where, 'query.where');
      const minAgeMs = queryDuration(query.minAge, 'query.minAge');
      const maxAgeMs = queryDuration(query.maxAge, 'query.maxAge');
      return incidentsList(
        server.config,
        {
          ...(query.of ? { of: query.of } : {}),
          ...(query.subject ? { subject: query.subject } : {}),
          ...(query.status ? { status: query.status } : {}),
          ...(minAgeMs !== undefined ? { minAgeMs } : {}),
          ...(maxAgeMs !== undefined ? { maxAgeMs } : {}),
          ...(where ? { where } : {}),
          offset: query.offset,
          limit: query.limit,
        },
        run(),
      );
    },
  }),
];
