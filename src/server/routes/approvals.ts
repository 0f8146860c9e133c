import type { Approval } from '../../approvals/approval.js';
import { approvalsList, approvalsSubmit } from '../../workspace/approvals.js';
import { defineRoute } from '../server-route.js';

const text = (max: number) => ({ type: 'string', minLength: 1, maxLength: max });
const isoTime = { type: 'string', minLength: 10, maxLength: 40, pattern: '^\\d{4}-\\d{2}-\\d{2}T[0-9:.]+Z$' };

/**
 * Approvals: listed by viewers; recorded by approvers, signed with the approver's own key
 * elsewhere (`steward approvals sign` prints one with --json): the server verifies, never signs.
 */
export const approvalRoutes = [
  defineRoute<Record<string, never>, { subject?: string }>({
    method: 'GET',
    url: '/approvals',
    role: 'viewer',
    tag: 'approvals',
    summary: 'stored approvals (of one subject, when given), each with whether it counts now',
    query: {
      type: 'object',
      properties: { subject: { ...text(200), pattern: '^[A-Za-z0-9][A-Za-z0-9:._-]*$' } },
      additionalProperties: false,
    },
    handler: async ({ server, query, run }) => ({
      approvals: await approvalsList(server.config, query.subject ? { subject: query.subject } : {}, run()),
    }),
  }),
  defineRoute<Record<string, never>, unknown, Approval>({
    method: 'POST',
    url: '/approvals',
    role: 'approver',
    tag: 'approvals',
    summary:
      'record a signed approval (ed25519 by the approver\'s key; same rules, expiry and quorum as "migrate approve")',
    body: {
      type: 'object',
      properties: {
        subject: { ...text(200), pattern: '^[A-Za-z0-9][A-Za-z0-9:._-]*$' },
        subjectKind: { ...text(64), pattern: '^[a-z][a-z0-9.-]*$' },
        approver: { ...text(64), pattern: '^[A-Za-z0-9][A-Za-z0-9._@-]*$' },
        role: { ...text(64), pattern: '^[A-Za-z0-9][A-Za-z0-9._-]*$' },
        signedAt: isoTime,
        expiresAt: isoTime,
        signature: { ...text(200), pattern: '^[A-Za-z0-9+/]+={0,2}$' },
      },
      required: ['subject', 'subjectKind', 'approver', 'role', 'signedAt', 'expiresAt', 'signature'],
      additionalProperties: false,
    },
    handler: async ({ server, body, reply, run }) => {
      const result = await approvalsSubmit(server.config, body, run());
      reply.status(201);
      return result;
    },
  }),
];
