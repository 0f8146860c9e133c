import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { StewardError } from '../../errors/steward-error.js';
import type { DynamoStoreConfig } from '../store-config.js';
import { type RetryOptions, retryThrottled } from './batch-retry.js';
import { type CallSite, isThrottle, toStewardError } from './dynamodb-errors.js';
import { ProtoSafeJsonProtocol } from './proto-safe-protocol.js';

/**
 * The one door to DynamoDB for this adapter: an SDK client with short connection timeouts (so an
 * unreachable store fails in seconds), our own throttling retries on top of the SDK's, and error
 * translation. Every other file goes through {@link DynamoClient.call} or {@link DynamoClient.send}.
 */
export class DynamoClient {
  readonly sdk: DynamoDBClient;
  /** The endpoint named in error messages. */
  readonly endpoint: string;
  /** How batch leftovers and throttled calls are retried (config.maxAttempts, default 8). */
  readonly retry: RetryOptions;

  constructor(readonly config: DynamoStoreConfig) {
    this.endpoint = config.endpoint ?? `dynamodb.${config.region}.amazonaws.com`;
    const maxAttempts = config.maxAttempts ?? 8;
    if (!Number.isInteger(maxAttempts) || maxAttempts < 1) {
      throw new StewardError(
        'config.invalid',
        `store.maxAttempts must be a whole number of at least 1, not ${maxAttempts}`,
      );
    }
    this.retry = { maxAttempts, baseDelayMs: 50, maxDelayMs: 5000 };
    this.sdk = new DynamoDBClient({
      region: config.region,
      ...(config.endpoint ? { endpoint: config.endpoint } : {}),
      ...(config.credentials ? { credentials: config.credentials } : {}),
      // The SDK retries network blips and throttling a little; ours (below) adds patience for
      // throttling only, so a refused connection is reported after a few quick attempts.
      maxAttempts: 3,
      requestHandler: { connectionTimeout: 3000, requestTimeout: 60_000 },
      // Keeps a document's own `__proto__` field when items are read (see the class).
      protocol: ProtoSafeJsonProtocol,
    });
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
    return table === undefined
      ? { endpoint: this.endpoint, action }
      : { endpoint: this.endpoint, action, table };
  }

  destroy(): void {
    this.sdk.destroy();
  }
}
