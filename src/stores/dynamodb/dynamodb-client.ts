import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { StewardError } from '../../errors/steward-error.js';
import type { DynamoStoreConfig } from '../store-config.js';
import { storeTimeout } from '../store-timeouts.js';
import { type RetryOptions, retryThrottled } from './batch-retry.js';
import { transactionsInFlight, transactionsInFlightProblem } from './concurrency.js';
import { type CallSite, isThrottle, toStewardError } from './dynamodb-errors.js';
import { ProtoSafeJsonProtocol } from './proto-safe-protocol.js';
import { tablePrefixProblem } from './table-mapping.js';

/** The SDK's logging middleware, removed from the client (see the constructor). */
export const sdkLoggerMiddleware = 'loggerMiddleware';

/** Attempts the SDK makes of one request that failed on the network or timed out. */
const sdkAttempts = 3;

/**
 * The one door to DynamoDB for this adapter: an SDK client whose every request is bounded (a
 * connection timeout and a request timeout that fails the request, so an endpoint that accepts
 * connections and never answers fails in seconds instead of hanging), our own throttling retries
 * on top of the SDK's, and error translation. Every other file goes through
 * {@link DynamoClient.call} or {@link DynamoClient.send}.
 */
export class DynamoClient {
  readonly sdk: DynamoDBClient;
  /** The endpoint named in error messages. */
  readonly endpoint: string;
  /** Put in front of every table name (config.tablePrefix, default none). */
  readonly tablePrefix: string;
  /** How batch leftovers and throttled calls are retried (config.maxAttempts, default 8). */
  readonly retry: RetryOptions;
  /** TransactWriteItems calls in flight at once (config.transactionsInFlight, else by endpoint). */
  readonly transactionsInFlight: number;
  /** The timeouts in force, for messages. */
  readonly timeouts: CallSite['timeouts'];

  constructor(readonly config: DynamoStoreConfig) {
    this.endpoint = config.endpoint ?? `dynamodb.${config.region}.amazonaws.com`;
    const maxAttempts = config.maxAttempts ?? 8;
    if (!Number.isInteger(maxAttempts) || maxAttempts < 1) {
      throw new StewardError(
        'config.invalid',
        `store.maxAttempts must be a whole number of at least 1, not ${maxAttempts}`,
      );
    }
    this.tablePrefix = config.tablePrefix ?? '';
    const prefixProblem = tablePrefixProblem(this.tablePrefix);
    if (prefixProblem)
      throw new StewardError(
        'config.invalid',
        `stores.${config.name ?? '<store>'}.tablePrefix: ${prefixProblem}`,
      );
    const inFlightProblem =
      config.transactionsInFlight === undefined
        ? undefined
        : transactionsInFlightProblem(config.transactionsInFlight);
    if (inFlightProblem)
      throw new StewardError(
        'config.invalid',
        `stores.${config.name ?? '<store>'}.transactionsInFlight: ${inFlightProblem}`,
        { field: 'transactionsInFlight' },
      );
    this.transactionsInFlight = transactionsInFlight(config.endpoint, config.transactionsInFlight);
    this.retry = { maxAttempts, baseDelayMs: 50, maxDelayMs: 5000 };
    this.timeouts = {
      connectTimeoutMs: storeTimeout(config, 'connectTimeoutMs'),
      requestTimeoutMs: storeTimeout(config, 'requestTimeoutMs'),
      attempts: sdkAttempts,
    };
    this.sdk = new DynamoDBClient({
      region: config.region,
      ...(config.endpoint ? { endpoint: config.endpoint } : {}),
      ...(config.credentials ? { credentials: config.credentials } : {}),
      // The SDK retries network blips, timeouts and throttling a little; ours (below) adds
      // patience for throttling only, so an unreachable endpoint is reported after a few attempts.
      maxAttempts: sdkAttempts,
      requestHandler: {
        connectionTimeout: this.timeouts.connectTimeoutMs,
        requestTimeout: this.timeouts.requestTimeoutMs,
        // Without it the SDK only logs a warning when requestTimeout passes, and waits on.
        throwOnRequestTimeout: true,
      },
      // Keeps a document's own `__proto__` field when items are read (see the class).
      protocol: ProtoSafeJsonProtocol,
    });
    // The SDK's default logger is a no-op with an `info` method, so its logger middleware still
    // walks and copies every request's input and every response against the schema (to hide
    // sensitive fields) and throws the copy away: about a tenth of the client's CPU per request on
    // DynamoDB Local (issue 17). steward logs no SDK traffic, so the middleware goes.
    this.sdk.middlewareStack.remove(sdkLoggerMiddleware);
  }

  /** Runs an SDK call with throttling retries; failures are rethrown as the SDK raised them. */
  send<T>(run: (sdk: DynamoDBClient) => Promise<T>): Promise<T> {
    return retryThrottled(() => run(this.sdk), isThrottle, this.retry);
  }

  /** Runs an SDK call with throttling retries; failures become StewardErrors naming the site. */
  async call<T>(
    action: string,
    table: string | undefined,
    run: (sdk: DynamoDBClient) => Promise<T>,
  ): Promise<T> {
    try {
      return await this.send(run);
    } catch (error) {
      throw toStewardError(error, this.site(action, table));
    }
  }

  /** Translates a failure of an SDK call made with {@link send}. */
  translate(error: unknown, action: string, table?: string): Error {
    return toStewardError(error, this.site(action, table));
  }

  /** A call site for error messages. */
  site(action: string, table?: string): CallSite {
    return {
      endpoint: this.endpoint,
      action,
      timeouts: this.timeouts,
      ...(table === undefined ? {} : { table }),
      ...(this.config.name === undefined ? {} : { store: this.config.name }),
    };
  }

  destroy(): void {
    this.sdk.destroy();
  }
}
