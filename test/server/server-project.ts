/**
 * A project for server tests: the case-management example's config on a real store of the chosen
 * kind (its ledger there too), its contracts and migration, two approvers with keys, and API
 * tokens of every role plus an expired and a revoked one, made through the library entry points.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { defineConfig } from '../../src/config/define-config.js';
import { resolveConfig } from '../../src/config/resolve-config.js';
import type { ResolvedConfig } from '../../src/config/resolved-config.js';
import { canonicalJson, type JsonObject } from '../../src/core/json.js';
import { caseManagementModel, exampleCollectionNames } from '../../src/example/case-management-model.js';
import { writeExampleContracts } from '../../src/example/example-contracts.js';
import { exampleDerived } from '../../src/example/example-derived.js';
import { exampleContractsV2, writeExampleMigration } from '../../src/example/example-migrations.js';
import { ledgerNamespace, ledgerSpecs } from '../../src/ledger/ledger-namespace.js';
import { createServer, type ServerOptions } from '../../src/server/create-server.js';
import { openStore } from '../../src/stores/open-store.js';
import { scanDocuments } from '../../src/stores/scan-pages.js';
import type { StoreKind } from '../../src/stores/store.js';
import type { StoreConfig } from '../../src/stores/store-config.js';
import { approvalsKeygen } from '../../src/workspace/approvals.js';
import { exampleGenerate } from '../../src/workspace/example-generate.js';
import { tokensCreate, tokensRevoke } from '../../src/workspace/tokens.js';
import { testStoreConfig } from '../support/test-stores.js';

/** Who calls in the tests: no token, each role, an expired and a revoked token. */
export const callers = ['none', 'viewer', 'operator', 'approver', 'admin', 'expired', 'revoked'] as const;
export type CallerName = (typeof callers)[number];

export interface ServerProject {
  readonly dir: string;
  readonly config: ResolvedConfig;
  readonly storeConfig: StoreConfig;
  /** A bearer token per caller (none: undefined). */
  readonly tokens: Readonly<Record<CallerName, string | undefined>>;
  /** The private key files of the approvers alice (owner) and bob (dba). */
  readonly keys: { readonly alice: string; readonly bob: string };
  /** A checksum of every document of the example's collections and of the ledger. */
  checksum(): Promise<string>;
  cleanup(): Promise<void>;
}

export interface ServerProjectOptions {
  /** Documents of the example to generate (0: none). */
  readonly docs?: number;
  readonly faults?: { readonly orphans?: number; readonly drift?: number };
}

/** Makes the project, its data and its tokens on a fresh store of `kind`. */
export async function serverProject(
  kind: StoreKind,
  options: ServerProjectOptions = {},
): Promise<ServerProject> {
  const dir = mkdtempSync(join(tmpdir(), 'steward-server-'));
  const storeConfig = testStoreConfig(kind);
  writeExampleContracts(join(dir, 'contracts'), exampleContractsV2());
  writeExampleMigration(join(dir, 'migrations'));
  mkdirSync(join(dir, 'keys'));
  const alice = approvalsKeygen({ out: join(dir, 'keys', 'alice') });
  const bob = approvalsKeygen({ out: join(dir, 'keys', 'bob') });
  const config = await resolveConfig(
    defineConfig({
      stores: { main: storeConfig },
      collections: Object.fromEntries(exampleCollectionNames.map((n) => [n, { key: 'id' }])),
      references: Object.fromEntries(
        caseManagementModel.references.map((r) => [`${r.collection}.${r.field}`, { target: r.target }]),
      ),
      derived: exampleDerived(),
      contracts: { dir: 'contracts' },
      migrations: { dir: 'migrations' },
      approvers: {
        alice: { publicKey: alice.publicKey, roles: ['owner'], owns: ['subject-registry', 'case-service'] },
        bob: { publicKey: bob.publicKey, roles: ['dba'] },
      },
      approvalPolicies: { migrations: { required: 2, includeOwner: true } },
    } as Parameters<typeof defineConfig>[0]),
    { baseDir: dir },
  );
  if (options.docs)
    await exampleGenerate(
      config,
      { docs: options.docs, seed: 7, faults: options.faults ?? {} },
      { actor: 'setup' },
    );
  const tokens = await makeTokens(config);
  return {
    dir,
    config,
    storeConfig,
    tokens,
    keys: { alice: alice.privateKey, bob: bob.privateKey },
    checksum: () => checksum(config, storeConfig),
    cleanup: () => cleanup(dir, storeConfig),
  };
}

async function makeTokens(config: ResolvedConfig): Promise<Record<CallerName, string | undefined>> {
  const run = { actor: 'setup' };
  const make = async (name: string, role: string, expiresInMs = 3_600_000) =>
    (await tokensCreate(config, { name, role, expiresInMs }, run)).token;
  const tokens = {
    none: undefined,
    viewer: await make('t-viewer', 'viewer'),
    operator: await make('t-operator', 'operator'),
    approver: await make('t-approver', 'approver'),
    admin: await make('t-admin', 'admin'),
    expired: await make('t-expired', 'admin', 1),
    revoked: await make('t-revoked', 'admin'),
  };
  await tokensRevoke(config, { name: 't-revoked' }, run);
  await new Promise((r) => setTimeout(r, 5));
  return tokens;
}

/** A server over the project, logging nowhere unless asked; `record` gets every answered route. */
export async function projectServer(
  project: ServerProject,
  options: ServerOptions = {},
  record?: (route: string, status: number) => void,
): Promise<FastifyInstance> {
  const app = await createServer(project.config, { logger: false, ...options });
  if (record)
    app.addHook('onResponse', async (request, reply) => {
      if (request.routeOptions.url) record(`${request.method} ${request.routeOptions.url}`, reply.statusCode);
    });
  await app.ready();
  return app;
}

/** The routes of an OpenAPI document as `METHOD /path/:param`, the way Fastify names them. */
export function openApiRoutes(document: { paths: Record<string, Record<string, unknown>> }): string[] {
  return Object.entries(document.paths).flatMap(([path, methods]) =>
    Object.keys(methods)
      .filter((m) => ['get', 'post', 'put', 'patch', 'delete'].includes(m))
      .map((m) => `${m.toUpperCase()} ${path.replace(/\{([^}]+)\}/g, ':$1')}`),
  );
}

/** Injects a call with the caller's token. */
export function call(
  app: FastifyInstance,
  project: ServerProject,
  caller: CallerName,
  request: {
    method: string;
    url: string;
    body?: unknown;
    payload?: string;
    headers?: Record<string, string>;
  },
) {
  const token = project.tokens[caller];
  const headers: Record<string, string> = {
    ...(token ? { authorization: `Bearer ${token}` } : {}),
    ...request.headers,
  };
  return app.inject({
    method: request.method as 'GET',
    url: request.url,
    headers,
    ...(request.payload !== undefined
      ? { payload: request.payload }
      : request.body !== undefined
        ? { payload: request.body as JsonObject }
        : {}),
  });
}

async function checksum(config: ResolvedConfig, storeConfig: StoreConfig): Promise<string> {
  const store = await openStore(storeConfig);
  try {
    const hash = createHash('sha256');
    const specs = [
      ...[...config.collections.values()].map((c) => c.spec),
      ...ledgerSpecs(ledgerNamespace(store, config.ledger.prefix)),
    ];
    for (const spec of specs) {
      const docs: string[] = [];
      if (!(await store.listCollections()).includes(spec.name)) continue;
      for await (const doc of scanDocuments(store.collection(spec))) docs.push(canonicalJson(doc));
      hash.update(`${spec.name}\n${docs.sort().join('\n')}\n`);
    }
    return hash.digest('hex');
  } finally {
    await store.close();
  }
}

async function cleanup(dir: string, storeConfig: StoreConfig): Promise<void> {
  rmSync(dir, { recursive: true, force: true });
  if (storeConfig.kind === 'sqlite') rmSync(join(storeConfig.file, '..'), { recursive: true, force: true });
  if (storeConfig.kind === 'mongodb') {
    const { MongoClient } = await import('mongodb');
    const client = new MongoClient(storeConfig.uri, { serverSelectionTimeoutMS: 5000 });
    try {
      await client.db(storeConfig.database).dropDatabase();
    } finally {
      await client.close();
    }
  }
  if (storeConfig.kind === 'dynamodb') {
    const store = await openStore(storeConfig);
    try {
      for (const name of await store.listCollections()) await store.dropCollection({ name, keyField: 'id' });
    } finally {
      await store.close();
    }
  }
}

export function writeJson(path: string, value: unknown): void {
  writeFileSync(path, JSON.stringify(value));
}
