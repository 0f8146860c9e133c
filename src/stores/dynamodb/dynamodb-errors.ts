import { StewardError } from '../../errors/steward-error.js';
import { storeLabel } from '../store-timeouts.js';

/**
 * Turns AWS SDK failures into steward's errors, so users read one voice whatever the store.
 * The SDK reports service errors by `name` (the DynamoDB exception type) and network failures as
 * Node errors with a `code`; both are inspected here and nowhere else.
 */

/** Where a failing call was aimed: the endpoint always, the table when the call had one. */
export interface CallSite {
  readonly endpoint: string;
  readonly action: string;
  readonly table?: string;
  /** steward's name for the store, when it has one. */
  readonly store?: string;
  /** The client's timeouts, for the message when one of them passed. */
  readonly timeouts?: {
    readonly connectTimeoutMs: number;
    readonly requestTimeoutMs: number;
    readonly attempts: number;
  };
}

const networkCodes = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
]);
const networkNames = new Set(['RequestTimeout', 'NetworkingError']);
/** The SDK's name for a connection or request timeout (a request timeout also has code ETIMEDOUT). */
const timeoutName = 'TimeoutError';
const authNames = new Set([
  'UnrecognizedClientException',
  'InvalidSignatureException',
  'MissingAuthenticationTokenException',
  'IncompleteSignatureException',
  'ExpiredTokenException',
  'AccessDeniedException',
  'CredentialsProviderError',
]);
const throttleNames = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'RequestLimitExceeded',
]);

/** The DynamoDB exception type or Node error code of a failure; a timeout of the SDK's is `TimeoutError`. */
export function errorName(error: unknown): string {
  const e = error as { name?: unknown; code?: unknown } | null;
  if (e?.name === timeoutName) return timeoutName;
  if (typeof e?.code === 'string' && networkCodes.has(e.code)) return e.code;
  return typeof e?.name === 'string' ? e.name : 'Error';
}

/** True for errors DynamoDB means "slow down and retry". */
export function isThrottle(error: unknown): boolean {
  return throttleNames.has(errorName(error));
}

/** True when a conditional write's condition did not hold. */
export function isConditionFailed(error: unknown): boolean {
  return errorName(error) === 'ConditionalCheckFailedException';
}

/** True for a StewardError the whole call must stop on, rather than one write failing. */
export function isFatal(error: StewardError): boolean {
  return ['store.unreachable', 'store.timeout', 'store.auth', 'collection.not-found'].includes(error.code);
}

/** Translates any failure of a DynamoDB call into a StewardError naming the endpoint or table. */
export function toStewardError(error: unknown, site: CallSite): StewardError {
  if (error instanceof StewardError) return error;
  const name = errorName(error);
  const message = (error as Error | null)?.message ?? String(error);
  const details = { endpoint: site.endpoint, table: site.table, action: site.action, cause: name };
  const where = storeLabel(site.store, `DynamoDB at ${site.endpoint}`);
  if (name === timeoutName) return timeoutError(site, where, details, error);
  if (networkCodes.has(name) || networkNames.has(name)) {
    return new StewardError(
      'store.unreachable',
      `${where} is unreachable (${name}: ${message}). Check the endpoint and region in the store config and that the service is running.`,
      details,
      { cause: error },
    );
  }
  if (authNames.has(name)) {
    return new StewardError(
      'store.auth',
      `${where} refused the credentials (${name}: ${message}). Check the access key, secret and region, or the AWS profile in use.`,
      details,
      { cause: error },
    );
  }
  if (name === 'ResourceNotFoundException' && site.table !== undefined) {
    return new StewardError(
      'collection.not-found',
      `DynamoDB table "${site.table}" does not exist at ${site.endpoint}; check the collection's table name in the config, or create the table.`,
      details,
      { cause: error },
    );
  }
  const on = site.table === undefined ? '' : ` on table "${site.table}"`;
  const hint = throttleNames.has(name)
    ? ' (still throttled after retries: raise capacity or lower concurrency)'
    : '';
  return new StewardError(
    'store.failed',
    `${where}: ${site.action}${on} failed: ${name}: ${message}${hint}`,
    details,
    {
      cause: error,
    },
  );
}

/**
 * A connection or request timeout, after the SDK's own attempts: one line naming the store, the
 * call and the settings to check, without the SDK's wording.
 */
function timeoutError(
  site: CallSite,
  where: string,
  details: Record<string, unknown>,
  cause: unknown,
): StewardError {
  const t = site.timeouts;
  const limits = t
    ? ` (connectTimeoutMs ${t.connectTimeoutMs}, requestTimeoutMs ${t.requestTimeoutMs}, ${t.attempts} attempts)`
    : '';
  const settings = site.store === undefined ? 'the store' : `stores.${site.store}`;
  const on = site.table === undefined ? '' : ` on table "${site.table}"`;
  return new StewardError(
    'store.timeout',
    `${where} did not answer ${site.action}${on} in time${limits}; check that the service is running and answering, or raise the timeouts in ${settings}`,
    details,
    { cause },
  );
}
