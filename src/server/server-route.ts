import type { FastifyReply } from 'fastify';
import type { Registry } from 'prom-client';
import type { ResolvedConfig } from '../config/resolved-config.js';
import type { JobManager } from '../jobs/job-manager.js';
import type { RunOptions } from '../workspace/run-options.js';
import type { TokenRole } from '../workspace/tokens.js';
import type { CensusCache } from './census-cache.js';
import type { RouteRole } from './roles.js';

/** A JSON Schema, plain (routes write them as object literals; ajv compiles them). */
export type JsonSchema = Readonly<Record<string, unknown>>;

/** Who called: the token's name (the actor of every audit record the call writes) and its role. */
export interface Caller {
  readonly name: string;
  readonly role: TokenRole;
}

/** What the server gives every route: the resolved config, the metrics registry and the job manager. */
export interface ServerContext {
  /** The config, with the server's stores held open (see `holdStores`): pass it to entry points. */
  readonly config: ResolvedConfig;
  /** The censuses the census route answers from (see `CensusCache`). */
  readonly census: CensusCache<unknown>;
  readonly registry: Registry;
  /** The server's job manager (opened on first use): background jobs outlive the request. */
  jobs(): Promise<JobManager>;
}

/**
 * One call of a route, already authenticated and validated: the path parameters, query and body
 * as the route's schemas allow them, the caller (absent on public routes), the run options to pass
 * to a library entry point (actor = the token's name; the signal aborts when the client goes
 * away), and `reply` for a status other than 200 or a header.
 */
export interface RouteCall<P, Q, B> {
  readonly params: P;
  readonly query: Q;
  readonly body: B;
  readonly caller: Caller | undefined;
  readonly server: ServerContext;
  readonly reply: FastifyReply;
  /** Run options for a library entry point: the caller's token name as actor. */
  run<E = never>(extra?: Omit<RunOptions<E>, 'actor'>): RunOptions<E>;
}

/**
 * A route of `steward serve`: method, path, the role it needs, its JSON Schemas, and a handler
 * that calls one library entry point and returns its result, sent as JSON. Every route declares
 * `role`; the server refuses to start with one that does not. Bodies and queries declare
 * `additionalProperties: false`, so unknown fields are refused.
 */
export interface ServerRoute<P = Record<string, string>, Q = Record<string, unknown>, B = unknown> {
  readonly method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** Fastify path syntax: `/contracts/:collection`. */
  readonly url: string;
  readonly role: RouteRole;
  /** One line for the OpenAPI document. */
  readonly summary: string;
  /** The OpenAPI tag: the route group (its file under `routes/`). */
  readonly tag: string;
  readonly params?: JsonSchema;
  readonly query?: JsonSchema;
  readonly body?: JsonSchema;
  /** Keep out of the OpenAPI document (the Swagger UI's own assets). */
  readonly hide?: boolean;
  handler(call: RouteCall<P, Q, B>): Promise<unknown>;
}

/** A route with its own parameter types erased, for lists of routes of one group. */
// biome-ignore lint/suspicious/noExplicitAny: a list holds routes of different call types
export type AnyServerRoute = ServerRoute<any, any, any>;

/** Types a route's handler by its parameter, query and body types; returns the route as is. */
export function defineRoute<P = Record<string, string>, Q = Record<string, unknown>, B = unknown>(
  route: ServerRoute<P, Q, B>,
): AnyServerRoute {
  return route as AnyServerRoute;
}
