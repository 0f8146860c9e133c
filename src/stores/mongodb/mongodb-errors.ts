import { StewardError } from '../../errors/steward-error.js';
import { storeLabel } from '../store-timeouts.js';

/** Where the store is, for messages: the hosts of the URI, never its credentials. */
export interface MongoTarget {
  readonly hosts: string;
  /** The connect (and server selection) timeout. */
  readonly timeoutMs: number;
  /** How long one request may go without an answer; undefined for no limit. */
  readonly requestTimeoutMs?: number;
  /** steward's name for the store, when it has one. */
  readonly store?: string;
}

/** The host list of a connection string (`a:27017,b:27017`), without user, password or options. */
export function hostsOf(uri: string): string {
  const match = /^mongodb(?:\+srv)?:\/\/(?:[^@/]*@)?([^/?]*)/.exec(uri);
  return match?.[1] || 'the configured URI';
}

const unreachableNames = new Set([
  'MongoServerSelectionError',
  'MongoNetworkError',
  'MongoTopologyClosedError',
]);
/** A request that went without an answer for the socket timeout (or the driver's own deadline). */
const timeoutNames = new Set(['MongoNetworkTimeoutError', 'MongoOperationTimeoutError']);

/**
 * Turns driver failures a user can act on into StewardErrors: an unreachable server into
 * `store.unreachable`, a request left unanswered into `store.timeout`, refused credentials into
 * `store.auth`. Anything else is returned as it is (a bug or a server error to report with its
 * stack). The driver's message is kept in the text, not as a cause, so the CLI prints one line
 * and no stack.
 */
export function mapMongoError(error: unknown, target: MongoTarget): unknown {
  if (!(error instanceof Error) || error instanceof StewardError) return error;
  const code = (error as { code?: unknown }).code;
  const where = storeLabel(target.store, `MongoDB at ${target.hosts}`);
  const settings = target.store === undefined ? 'the store' : `stores.${target.store}`;
  if (
    code === 18 ||
    error.name === 'MongoMissingCredentialsError' ||
    /authentication failed/i.test(error.message)
  ) {
    return new StewardError(
      'store.auth',
      `${where} refused the credentials (${error.message}); check the user, password and authSource in the URI`,
      { hosts: target.hosts, store: target.store },
    );
  }
  if (timeoutNames.has(error.name)) {
    const limit =
      target.requestTimeoutMs === undefined ? '' : ` within requestTimeoutMs (${target.requestTimeoutMs} ms)`;
    return new StewardError(
      'store.timeout',
      `${where} did not answer a request${limit} (${error.message}); check that it is running and answering, or raise the timeouts in ${settings}`,
      { hosts: target.hosts, store: target.store },
    );
  }
  if (unreachableNames.has(error.name)) {
    return new StewardError(
      'store.unreachable',
      `${where} did not answer within ${target.timeoutMs} ms (${error.message}); check that it is running and that the URI in the config is right`,
      { hosts: target.hosts, store: target.store },
    );
  }
  return error;
}

/** Runs a driver call, mapping its failure with {@link mapMongoError}. */
export async function guarded<T>(target: MongoTarget, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw mapMongoError(error, target);
  }
}

/**
 * True for a MongoDB server error with one of the given codes (26 NamespaceNotFound, 48
 * NamespaceExists...). mongo-java-server answers a missing namespace with the bare message
 * "ns not found" and no code (as MongoDB did before it had codes), so that counts as 26.
 */
export function hasCode(error: unknown, ...codes: number[]): boolean {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  if (typeof code === 'number') return codes.includes(code);
  return codes.includes(26) && message === 'ns not found';
}
