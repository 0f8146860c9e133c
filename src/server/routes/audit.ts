import { parseAuditHead, recordedHead } from '../../ledger/audit-head-ref.js';
import { auditLog } from '../../workspace/audit-log.js';
import { auditVerify } from '../../workspace/audit-verify.js';
import { defineRoute } from '../server-route.js';
import { pagingProperties } from './names.js';

/** The audit log, paged, and its verification. */
export const auditRoutes = [
  defineRoute<Record<string, never>, { action?: string; fromSeq?: number; offset: number; limit: number }>({
    method: 'GET',
    url: '/audit',
    role: 'viewer',
    tag: 'audit',
    summary: 'audit records in seq order, by action prefix and from a seq, paged with the total',
    query: {
      type: 'object',
      properties: {
        action: { type: 'string', maxLength: 64, pattern: '^[a-z][a-z0-9._-]*$' },
        fromSeq: { type: 'integer', minimum: 0 },
        ...pagingProperties,
      },
      additionalProperties: false,
    },
    handler: async ({ server, query, run }) => auditLog(server.config, query, run()),
  }),
  defineRoute<Record<string, never>, { expectHead?: string }>({
    method: 'GET',
    url: '/audit/verify',
    role: 'viewer',
    tag: 'audit',
    summary: 'verify the hash chain of the audit log (and a head kept elsewhere, `expectHead` = seq:hash)',
    query: {
      type: 'object',
      properties: { expectHead: { type: 'string', maxLength: 100, pattern: '^\\d+:[0-9a-f]+$' } },
      additionalProperties: false,
    },
    handler: async ({ server, query, run }) =>
      auditVerify(
        server.config,
        query.expectHead
          ? { expectHead: recordedHead(parseAuditHead(query.expectHead, 'query.expectHead'), 'expectHead') }
          : {},
        run(),
      ),
  }),
];
