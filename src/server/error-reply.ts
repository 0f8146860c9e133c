import { StewardError, type StewardErrorCode } from '../errors/steward-error.js';
import { ApiError } from './api-error.js';
import { redactSecrets } from './redact-secrets.js';

/** What every error answer carries: a stable code, a message for a person, the input at fault. */
export interface ErrorBody {
  readonly error: { readonly code: string; readonly message: string; readonly field?: string };
}

/**
 * The status of each StewardError code: the one place the server decides it, as `run-cli.ts` is
 * for exit codes. Usage-class codes are the client's mistake (4xx); a store that does not answer
 * is 503; contention is 409.
 */
const statusOfCode: Record<StewardErrorCode, number> = {
  usage: 400,
  'config.invalid': 400,
  'config.not-found': 404,
  'filter.invalid': 400,
  'collection.unknown': 404,
  'collection.not-found': 404,
  'input.invalid': 400,
  'contract.invalid': 400,
  'migration.invalid': 422,
  'baseline.not-found': 404,
  'store.unreachable': 503,
  'store.timeout': 503,
  'store.auth': 503,
  'store.unsupported': 400,
  'store.write-incomplete': 500,
  'store.failed': 502,
  'store.corrupt': 500,
  'lease.held': 409,
  'lease.lost': 409,
  'ledger.conflict': 409,
  aborted: 409,
  'job.unknown': 404,
  'job.conflict': 409,
  findings: 422,
};

/** Fastify's own error codes for a request it refused before any route ran. */
const fastifyErrors: Record<string, { status: number; code: string; message: string }> = {
  FST_ERR_CTP_BODY_TOO_LARGE: { status: 413, code: 'body.too-large', message: 'the body is too large' },
  FST_ERR_CTP_INVALID_JSON_BODY: {
    status: 400,
    code: 'body.invalid-json',
    message: 'the body is not valid JSON',
  },
  FST_ERR_CTP_EMPTY_JSON_BODY: { status: 400, code: 'body.invalid-json', message: 'the JSON body is empty' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: {
    status: 415,
    code: 'body.media-type',
    message: 'send the body as application/json',
  },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: {
    status: 400,
    code: 'body.invalid-length',
    message: 'the Content-Length does not match the body',
  },
};

/** Where a validation failure was found, as the error's `field` prefix. */
const partNames: Record<string, string> = {
  body: 'body',
  querystring: 'query',
  params: 'path',
  headers: 'header',
};

interface ValidationIssue {
  readonly instancePath: string;
  readonly keyword: string;
  readonly params: Record<string, unknown>;
  readonly message?: string;
}

interface FrameworkError extends Error {
  readonly code?: string;
  readonly statusCode?: number;
  readonly validation?: readonly ValidationIssue[];
  readonly validationContext?: string;
}

/**
 * Turns any error into the status and JSON body the server answers with. Anything that is not a
 * StewardError, an ApiError or a request Fastify refused is a bug: 500 with no detail (the log
 * has it). Messages are scrubbed of tokens and connection strings.
 */
export function errorReply(error: unknown): { status: number; body: ErrorBody; internal: boolean } {
  const reply = (status: number, code: string, message: string, field?: string) => ({
    status,
    internal: false,
    body: { error: { code, message: redactSecrets(message), ...(field ? { field } : {}) } },
  });
  if (error instanceof ApiError) return reply(error.status, error.code, error.message, error.field);
  if (error instanceof StewardError) {
    const field = typeof error.details.field === 'string' ? error.details.field : undefined;
    return reply(statusOfCode[error.code] ?? 500, error.code, error.message, field);
  }
  const framework = error as FrameworkError;
  if (framework?.validation?.length) {
    const { field, message } = describeIssue(framework.validation[0]!, framework.validationContext);
    return reply(400, 'input.invalid', message, field);
  }
  const known = framework?.code ? fastifyErrors[framework.code] : undefined;
  if (known)
    return reply(known.status, known.code, known.message, known.code.startsWith('body') ? 'body' : undefined);
  if (framework?.statusCode && framework.statusCode >= 400 && framework.statusCode < 500)
    return reply(framework.statusCode, 'request.invalid', framework.message);
  return {
    ...reply(500, 'internal', 'steward failed to answer this request; the server log says why'),
    internal: true,
  };
}

/** The field a validation issue is about (`body.name`, `query.limit`) and a message naming it. */
function describeIssue(issue: ValidationIssue, context = 'body'): { field: string; message: string } {
  const part = partNames[context] ?? context;
  const path = issue.instancePath.split('/').filter(Boolean);
  const extra = issue.params.additionalProperty ?? issue.params.missingProperty;
  if (typeof extra === 'string') path.push(extra);
  const field = [part, ...path].join('.');
  if (issue.keyword === 'additionalProperties') return { field, message: `${field} is not a known field` };
  if (issue.keyword === 'required') return { field, message: `${field} is required` };
  return { field, message: `${field} ${issue.message ?? 'is not valid'}` };
}
