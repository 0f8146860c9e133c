import { isAbsolute, resolve } from 'node:path';
import { isJsonObject } from '../core/json.js';
import { StewardError } from '../errors/steward-error.js';
import { transactionsInFlightProblem } from '../stores/dynamodb/concurrency.js';
import { tablePrefixProblem } from '../stores/dynamodb/table-mapping.js';
import type { StoreConfig } from '../stores/store-config.js';
import { timeoutProblem } from '../stores/store-timeouts.js';
import { resolveApprovalPolicies, resolveApprovers } from './resolve-approvals.js';
import { resolveDerived } from './resolve-derived.js';
import { resolveEnvironment } from './resolve-environment.js';
import { resolveMigrations } from './resolve-migrations.js';
import { resolveReferences } from './resolve-references.js';
import { resolveSignals } from './resolve-signals.js';
import type { ResolvedCollection, ResolvedConfig } from './resolved-config.js';

/** One problem found in a config: where (a dotted path in the config) and what. */
export interface ConfigProblem {
  readonly path: string;
  readonly message: string;
}

const kinds = ['sqlite', 'mongodb', 'dynamodb'] as const;
const settings = [
  'stores',
  'collections',
  'references',
  'integrity',
  'ledger',
  'contracts',
  'approvers',
  'approvalPolicies',
  'environments',
  'signals',
  'migrations',
  'derived',
];
const namePattern = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

/**
 * Validates a config object and resolves it: environment values read, relative SQLite paths
 * taken from the config's folder, defaults applied. Every problem is collected and reported at
 * once in one `config.invalid` error, each line naming its path in the config.
 */
export function resolveConfig(
  raw: unknown,
  options: { file?: string; baseDir: string; env?: NodeJS.ProcessEnv },
): ResolvedConfig {
  const problems: ConfigProblem[] = [];
  const ctx = { problems, env: options.env ?? process.env, baseDir: options.baseDir };
  if (!isJsonObject(raw as never)) {
    problems.push({
      path: '(root)',
      message: 'the config must export an object made with defineConfig({...})',
    });
    throw configError(options.file, problems);
  }
  const config = raw as Record<string, unknown>;
  for (const key of Object.keys(config)) {
    if (!settings.includes(key)) {
      problems.push({ path: key, message: `is not a known setting (expected ${settings.join(', ')})` });
    }
  }
  const stores = resolveStores(config.stores, ctx);
  const declared = new Set(isJsonObject(config.stores as never) ? Object.keys(config.stores as object) : []);
  const collections = resolveCollections(config.collections, stores, declared, ctx);
  const ledger = resolveLedger(config.ledger, declared, ctx);
  const contracts = resolveContracts(config.contracts, ctx);
  // A collection on a store that failed to resolve is not resolved either; the references and
  // derived state that name it wait for the store's own problem to be fixed instead of each
  // reporting the same root cause as "names no collection".
  const waiting = collectionsOnBrokenStores(config.collections, stores, declared);
  const references = resolveReferences(
    withoutEntriesNaming(config.references, waiting),
    collections,
    (path, message) => problems.push({ path, message }),
    config.integrity,
  );
  const problem = (path: string, message: string) => problems.push({ path, message });
  const approvers = resolveApprovers(config.approvers, ctx.baseDir, problem);
  const { environment, approvalPolicies } = resolveEnvironment(
    config.environments,
    ctx.env.STEWARD_ENV,
    resolveApprovalPolicies(config.approvalPolicies, problem),
    problem,
  );
  const readSetting = (value: unknown, path: string) => readString(value, path, false, ctx);
  const signals = resolveSignals(config.signals, ctx.baseDir, readSetting, problem);
  const migrations = resolveMigrations(config.migrations, ctx.baseDir, readSetting, problem);
  const derived = resolveDerived(withoutEntriesNaming(config.derived, waiting), collections, problem);
  if (problems.length > 0) throw configError(options.file, problems);
  return {
    file: options.file,
    stores,
    collections,
    references,
    ledger,
    contracts,
    approvers,
    approvalPolicies,
    ...(environment ? { environment } : {}),
    signals,
    migrations,
    derived,
  };
}

/** Collections declared on a store that is declared but did not resolve (its problems are reported). */
function collectionsOnBrokenStores(
  raw: unknown,
  stores: ReadonlyMap<string, StoreConfig>,
  declared: ReadonlySet<string>,
): ReadonlySet<string> {
  const out = new Set<string>();
  if (!isJsonObject(raw as never)) return out;
  for (const [name, settings] of Object.entries(raw as Record<string, unknown>)) {
    const store = (settings as { store?: unknown } | null)?.store ?? defaultStore(declared);
    if (typeof store === 'string' && declared.has(store) && !stores.has(store)) out.add(name);
  }
  return out;
}

/**
 * `references` or `derived` without the entries that name one of `names`: as the collection
 * the entry is keyed on, or as a collection in its settings (target, rehydrateFrom, source).
 */
function withoutEntriesNaming(raw: unknown, names: ReadonlySet<string>): unknown {
  if (names.size === 0 || !isJsonObject(raw as never)) return raw;
  const named = (settings: unknown): unknown[] => {
    const s = (isJsonObject(settings as never) ? settings : {}) as Record<string, unknown>;
    const source = s.source as { collection?: unknown } | string | undefined;
    return [s.target, s.rehydrateFrom, typeof source === 'string' ? source : source?.collection];
  };
  return Object.fromEntries(
    Object.entries(raw as Record<string, unknown>).filter(
      ([key, settings]) =>
        !names.has(key.split('.')[0] ?? '') &&
        !named(settings).some((n) => typeof n === 'string' && names.has(n)),
    ),
  );
}

type Ctx = { problems: ConfigProblem[]; env: NodeJS.ProcessEnv; baseDir: string };
/** Store names written in the config, valid or not: references to a broken store are not errors twice. */
type Declared = ReadonlySet<string>;

function resolveStores(raw: unknown, ctx: Ctx): Map<string, StoreConfig> {
  const out = new Map<string, StoreConfig>();
  if (!isJsonObject(raw as never) || Object.keys(raw as object).length === 0) {
    ctx.problems.push({
      path: 'stores',
      message: 'must name at least one store, such as { main: { kind: "sqlite", file: "steward.sqlite" } }',
    });
    return out;
  }
  for (const [name, settings] of Object.entries(raw as Record<string, unknown>)) {
    const path = `stores.${name}`;
    if (!namePattern.test(name))
      ctx.problems.push({ path, message: 'store names use letters, digits, "_", "-" and "."' });
    const store = resolveStore(settings, name, ctx);
    if (store) out.set(name, store);
  }
  return out;
}

/** The settings each store kind takes; anything else is reported, so a misspelt timeout is not ignored. */
const storeFields: Record<StoreConfig['kind'], readonly string[]> = {
  sqlite: ['kind', 'file', 'busyTimeoutMs'],
  mongodb: ['kind', 'uri', 'database', 'connectTimeoutMs', 'requestTimeoutMs'],
  dynamodb: [
    'kind',
    'region',
    'endpoint',
    'credentials',
    'tablePrefix',
    'maxAttempts',
    'transactionsInFlight',
    'connectTimeoutMs',
    'requestTimeoutMs',
  ],
};

function resolveStore(raw: unknown, name: string, ctx: Ctx): StoreConfig | undefined {
  const path = `stores.${name}`;
  if (!isJsonObject(raw as never)) {
    ctx.problems.push({ path, message: 'must be an object with a "kind"' });
    return undefined;
  }
  const s = raw as Record<string, unknown>;
  if (!kinds.includes(s.kind as never)) {
    ctx.problems.push({
      path: `${path}.kind`,
      message: `must be one of ${kinds.join(', ')} (got ${JSON.stringify(s.kind)})`,
    });
    return undefined;
  }
  const kind = s.kind as StoreConfig['kind'];
  for (const field of Object.keys(s)) {
    if (!storeFields[kind].includes(field))
      ctx.problems.push({
        path: `${path}.${field}`,
        message: `is not a setting of a ${kind} store (expected ${storeFields[kind].join(', ')})`,
      });
  }
  const str = (field: string, required: boolean) => readString(s[field], `${path}.${field}`, required, ctx);
  const timeouts = readTimeouts(s, path, storeFields[kind], ctx);
  switch (kind) {
    case 'sqlite': {
      const file = str('file', true);
      if (file === undefined) return undefined;
      return {
        kind: 'sqlite',
        name,
        file: isAbsolute(file) || file === ':memory:' ? file : resolve(ctx.baseDir, file),
        ...timeouts,
      };
    }
    case 'mongodb': {
      const uri = str('uri', true);
      const database = str('database', true);
      if (uri !== undefined && !/^mongodb(\+srv)?:\/\//.test(uri)) {
        ctx.problems.push({ path: `${path}.uri`, message: 'must start with mongodb:// or mongodb+srv://' });
      }
      if (uri === undefined || database === undefined) return undefined;
      return { kind: 'mongodb', name, uri, database, ...timeouts };
    }
    case 'dynamodb': {
      const region = str('region', true);
      const endpoint = str('endpoint', false);
      const tablePrefix = str('tablePrefix', false);
      const prefixProblem = tablePrefix === undefined ? undefined : tablePrefixProblem(tablePrefix);
      if (prefixProblem) ctx.problems.push({ path: `${path}.tablePrefix`, message: prefixProblem });
      const maxAttempts = readNumber(s.maxAttempts, `${path}.maxAttempts`, ctx);
      const inFlight = s.transactionsInFlight;
      const inFlightProblem = inFlight === undefined ? undefined : transactionsInFlightProblem(inFlight);
      if (inFlightProblem)
        ctx.problems.push({ path: `${path}.transactionsInFlight`, message: inFlightProblem });
      const credentials = resolveCredentials(s.credentials, `${path}.credentials`, ctx);
      if (region === undefined) return undefined;
      return {
        kind: 'dynamodb',
        name,
        region,
        ...(endpoint === undefined ? {} : { endpoint }),
        ...(tablePrefix === undefined ? {} : { tablePrefix }),
        ...(maxAttempts === undefined ? {} : { maxAttempts }),
        ...(inFlight === undefined || inFlightProblem ? {} : { transactionsInFlight: inFlight as number }),
        ...(credentials === undefined ? {} : { credentials }),
        ...timeouts,
      };
    }
  }
}

/** The timeout settings a store kind takes (`...TimeoutMs`), checked against `store-timeouts.ts`. */
function readTimeouts(
  s: Record<string, unknown>,
  path: string,
  fields: readonly string[],
  ctx: Ctx,
): Record<string, number> {
  const out: Record<string, number> = {};
  for (const field of fields.filter((f) => f.endsWith('TimeoutMs'))) {
    const value = s[field];
    if (value === undefined) continue;
    const problem = timeoutProblem(value);
    if (problem) ctx.problems.push({ path: `${path}.${field}`, message: problem });
    else out[field] = value as number;
  }
  return out;
}

function resolveCredentials(raw: unknown, path: string, ctx: Ctx) {
  if (raw === undefined) return undefined;
  if (!isJsonObject(raw as never)) {
    ctx.problems.push({ path, message: 'must be { accessKeyId, secretAccessKey }' });
    return undefined;
  }
  const c = raw as Record<string, unknown>;
  const accessKeyId = readString(c.accessKeyId, `${path}.accessKeyId`, true, ctx);
  const secretAccessKey = readString(c.secretAccessKey, `${path}.secretAccessKey`, true, ctx);
  return accessKeyId && secretAccessKey ? { accessKeyId, secretAccessKey } : undefined;
}

function resolveCollections(
  raw: unknown,
  stores: Map<string, StoreConfig>,
  declared: Declared,
  ctx: Ctx,
): Map<string, ResolvedCollection> {
  const out = new Map<string, ResolvedCollection>();
  if (raw === undefined) return out;
  if (!isJsonObject(raw as never)) {
    ctx.problems.push({ path: 'collections', message: 'must be an object of collections by name' });
    return out;
  }
  for (const [name, settings] of Object.entries(raw as Record<string, unknown>)) {
    const path = `collections.${name}`;
    if (!isJsonObject(settings as never)) {
      ctx.problems.push({ path, message: 'must be an object such as { store: "main", key: "id" }' });
      continue;
    }
    const c = settings as Record<string, unknown>;
    const storeName = readString(c.store, `${path}.store`, false, ctx) ?? defaultStore(declared);
    if (storeName === undefined || !declared.has(storeName)) {
      const known = [...declared].join(', ') || 'none';
      const message =
        storeName === undefined ? 'is required when there are several stores' : 'names no store in "stores"';
      ctx.problems.push({ path: `${path}.store`, message: `${message} (known: ${known})` });
      continue;
    }
    const store = stores.get(storeName);
    if (!store) continue; // the store's own problems are already reported
    const keyField =
      readString(c.key, `${path}.key`, false, ctx) ?? (store.kind === 'mongodb' ? '_id' : 'id');
    const physical = readString(c.name, `${path}.name`, false, ctx) ?? name;
    if (!namePattern.test(physical))
      ctx.problems.push({ path, message: `"${physical}" is not a valid collection name` });
    const versionField = readString(c.versionField, `${path}.versionField`, false, ctx) ?? 'schemaVersion';
    if (c.dynamodb !== undefined && store.kind !== 'dynamodb') {
      ctx.problems.push({
        path: `${path}.dynamodb`,
        message: `is only for DynamoDB stores; "${storeName}" is ${store.kind}`,
      });
    }
    const dynamodb = c.dynamodb as ResolvedCollection['spec']['dynamodb'];
    const spec = { name: physical, keyField, ...(dynamodb ? { dynamodb } : {}) };
    out.set(name, { name, store: storeName as string, spec, versionField });
  }
  return out;
}

function resolveLedger(raw: unknown, declared: Declared, ctx: Ctx) {
  const l = isJsonObject(raw as never) ? (raw as Record<string, unknown>) : {};
  if (raw !== undefined && !isJsonObject(raw as never))
    ctx.problems.push({ path: 'ledger', message: 'must be { store, prefix }' });
  const store = readString(l.store, 'ledger.store', false, ctx) ?? [...declared][0] ?? '';
  if (declared.size > 0 && !declared.has(store)) {
    ctx.problems.push({
      path: 'ledger.store',
      message: `names no store in "stores" (known: ${[...declared].join(', ')})`,
    });
  }
  const prefix = readString(l.prefix, 'ledger.prefix', false, ctx) ?? 'steward_';
  return { store, prefix };
}

function resolveContracts(raw: unknown, ctx: Ctx) {
  if (raw !== undefined && !isJsonObject(raw as never))
    ctx.problems.push({ path: 'contracts', message: 'must be { dir }' });
  const c = isJsonObject(raw as never) ? (raw as Record<string, unknown>) : {};
  const dir = readString(c.dir, 'contracts.dir', false, ctx) ?? 'contracts';
  return { dir: resolve(ctx.baseDir, dir) };
}

function defaultStore(declared: Declared): string | undefined {
  return declared.size === 1 ? [...declared][0] : undefined;
}

function readString(value: unknown, path: string, required: boolean, ctx: Ctx): string | undefined {
  if (value === undefined) {
    if (required) ctx.problems.push({ path, message: 'is required' });
    return undefined;
  }
  if (typeof value === 'string') return value;
  if (isJsonObject(value as never) && typeof (value as { $env?: unknown }).$env === 'string') {
    const ref = value as { $env: string; default?: string };
    const fromEnv = ctx.env[ref.$env];
    if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
    if (ref.default !== undefined) return ref.default;
    ctx.problems.push({ path, message: `reads environment variable ${ref.$env}, which is not set` });
    return undefined;
  }
  ctx.problems.push({ path, message: `must be a string (got ${typeof value})` });
  return undefined;
}

function readNumber(value: unknown, path: string, ctx: Ctx): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'number' && Number.isFinite(value) && value > 0) return value;
  ctx.problems.push({ path, message: 'must be a positive number' });
  return undefined;
}

function configError(file: string | undefined, problems: ConfigProblem[]): StewardError {
  const where = file ?? 'the config';
  const lines = problems.map((p) => `  ${p.path}: ${p.message}`);
  return new StewardError(
    'config.invalid',
    `${where} has ${problems.length} problem(s):\n${lines.join('\n')}`,
    {
      file,
      problems,
    },
  );
}
