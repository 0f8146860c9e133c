import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { importDefault, loadErrorMessage } from '../config/import-module.js';
import { isJsonObject, type JsonObject } from '../core/json.js';
import { StewardError } from '../errors/steward-error.js';
import type { JsonSchema } from './compatibility/schema-change.js';
import type { Contract } from './contract.js';
import { type ContractProblem, parseContract } from './parse-contract.js';
import { SchemaRegistry, type SharedSchema } from './schema-registry.js';

/** The contracts of a project, parsed and checked, with the registry that compiled their schemas. */
export interface LoadedContracts {
  /** The folder they were read from. */
  readonly dir: string;
  /** Sorted by collection name. */
  readonly contracts: readonly Contract[];
  readonly registry: SchemaRegistry;
}

const contractFile = /\.contract\.(json|ts|mts|mjs|js)$/;

/**
 * Reads every contract in `dir` (and its subfolders): `*.contract.json`, or `*.contract.ts`
 * (`.mts`, `.mjs`, `.js`) exporting `defineContract({...})` by default. Schemas may be inline or
 * paths of JSON files relative to the contract; `*.schema.json` files with an `$id` are shared
 * schemas contracts can `$ref`. Every problem in every file is collected and reported at once as
 * one `contract.invalid` error (exit 2): invalid JSON, invalid JSON Schema, an unknown `$ref`, a
 * consumer naming a field no version declares, a reference to a collection with no contract.
 * A folder of JSON files that has not changed since the last load (same paths, same bytes) gives
 * that load's result again, validators compiled: callers treat the result as read-only.
 */
export async function loadContracts(dir: string, options: { label?: string } = {}): Promise<LoadedContracts> {
  const root = resolve(dir);
  const label = options.label ?? root;
  if (!existsSync(root) || !statSync(root).isDirectory()) {
    throw new StewardError('contract.invalid', `no contracts folder at ${label}`, { dir: root });
  }
  const files = listFiles(root);
  const fingerprint = fingerprintOf(files);
  const cached = fingerprint === undefined ? undefined : loaded.get(root);
  if (cached && cached.fingerprint === fingerprint) return cached.contracts;
  const schemaFiles: string[] = [];
  const result = await loadFiles(root, files, label, schemaFiles);
  // A schema file a contract names outside the listed files (another folder) is not in the fingerprint.
  if (fingerprint !== undefined && schemaFiles.every((f) => files.includes(f))) {
    loaded.delete(root);
    loaded.set(root, { fingerprint, contracts: result });
    if (loaded.size > maxCachedFolders) loaded.delete(loaded.keys().next().value!);
  }
  return result;
}

/**
 * The last loads, by folder, with the fingerprint of the files they read. Compiling the schemas
 * is most of a load (every version through Ajv), and `steward serve` loads the contracts on each
 * contract, census and migration-status request: an unchanged folder is served from here.
 */
const loaded = new Map<string, { readonly fingerprint: string; readonly contracts: LoadedContracts }>();
const maxCachedFolders = 16;

/**
 * A hash of every file's path and bytes, so any change to a contract or shared schema is a new
 * load. `undefined` (never cached) when a contract is a module (`.ts`, `.js`): what it imports is
 * outside the folder, where no fingerprint sees it.
 */
function fingerprintOf(files: readonly string[]): string | undefined {
  const hash = createHash('sha256');
  for (const file of files) {
    if (contractFile.test(file) && !file.endsWith('.json')) return undefined;
    hash.update(`${file}\0${statSync(file).size}\0`);
    hash.update(readFileSync(file));
  }
  return hash.digest('hex');
}

async function loadFiles(
  root: string,
  files: readonly string[],
  label: string,
  schemaFiles: string[],
): Promise<LoadedContracts> {
  const problems: ContractProblem[] = [];
  const shared = readSharedSchemas(files, root, problems);
  const registry = new SchemaRegistry(shared);
  const contracts: Contract[] = [];
  for (const file of files.filter((f) => contractFile.test(f))) {
    const name = relative(root, file);
    const raw = await readContract(file, name, problems);
    if (raw === undefined) continue;
    const withSchemas = inlineSchemaFiles(raw, dirname(file), name, problems, schemaFiles);
    const contract = parseContract(withSchemas, name, problems, (s) => registry.dereference(s));
    if (contract && compiles(contract, registry, problems)) contracts.push(contract);
  }
  checkAcrossContracts(contracts, problems);
  if (problems.length > 0) throw contractError(label, problems);
  contracts.sort((a, b) => a.collection.localeCompare(b.collection));
  return { dir: root, contracts, registry };
}

function listFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory() && entry.name !== 'node_modules' && !entry.name.startsWith('.'))
      out.push(...listFiles(path));
    else if (entry.isFile()) out.push(path);
  }
  return out.sort();
}

function readJson(file: string, name: string, problems: ContractProblem[]): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    problems.push({ file: name, path: '(file)', message: `is not valid JSON: ${(error as Error).message}` });
    return undefined;
  }
}

function readSharedSchemas(
  files: readonly string[],
  root: string,
  problems: ContractProblem[],
): SharedSchema[] {
  const out: SharedSchema[] = [];
  for (const file of files.filter((f) => f.endsWith('.schema.json'))) {
    const name = relative(root, file);
    const schema = readJson(file, name, problems);
    if (isJsonObject(schema) && typeof schema.$id === 'string')
      out.push({ id: schema.$id, schema, file: name });
  }
  return out;
}

async function readContract(file: string, name: string, problems: ContractProblem[]): Promise<unknown> {
  if (file.endsWith('.json')) return readJson(file, name, problems);
  try {
    return await importDefault(file, (value) => (value as { collection?: unknown }).collection !== undefined);
  } catch (error) {
    problems.push({
      file: name,
      path: '(file)',
      message: `could not be loaded: ${loadErrorMessage(error, file)}`,
    });
    return undefined;
  }
}

/** Replaces `versions[i].schema` strings (file paths) by the parsed files, adding each path to `read`. */
function inlineSchemaFiles(
  raw: unknown,
  base: string,
  name: string,
  problems: ContractProblem[],
  read: string[],
): unknown {
  if (!isJsonObject(raw) || !Array.isArray(raw.versions)) return raw;
  const versions = raw.versions.map((entry, i) => {
    if (!isJsonObject(entry) || typeof entry.schema !== 'string') return entry;
    const path = resolve(base, entry.schema);
    read.push(path);
    if (!existsSync(path)) {
      problems.push({
        file: name,
        path: `versions[${i}].schema`,
        message: `schema file ${entry.schema} does not exist`,
      });
      return entry;
    }
    const schema = readJson(path, relative(base, path), problems);
    return { ...entry, schema: (schema ?? {}) as JsonObject };
  });
  return { ...raw, versions };
}

function compiles(contract: Contract, registry: SchemaRegistry, problems: ContractProblem[]): boolean {
  let ok = true;
  contract.versions.forEach((v, i) => {
    try {
      registry.validator(v.schema as JsonSchema, `version ${v.version}`);
    } catch (error) {
      ok = false;
      problems.push({
        file: contract.file,
        path: `versions[${i}].schema`,
        message: String((error as StewardError).details?.reason ?? (error as Error).message),
      });
    }
  });
  return ok;
}

function checkAcrossContracts(contracts: Contract[], problems: ContractProblem[]): void {
  const byName = new Map<string, Contract>();
  for (const c of contracts) {
    const other = byName.get(c.collection);
    if (other)
      problems.push({
        file: c.file,
        path: 'collection',
        message: `"${c.collection}" also has a contract in ${other.file}`,
      });
    byName.set(c.collection, c);
  }
  for (const c of contracts) {
    for (const [field, d] of Object.entries(c.fields)) {
      if (d.references !== undefined && !byName.has(d.references))
        problems.push({
          file: c.file,
          path: `fields.${field}.references`,
          message: `no contract declares collection "${d.references}"`,
        });
      if (d.source && !byName.has(d.source.collection))
        problems.push({
          file: c.file,
          path: `fields.${field}.source`,
          message: `no contract declares collection "${d.source.collection}"`,
        });
    }
  }
}

function contractError(label: string, problems: ContractProblem[]): StewardError {
  const lines = problems.map((p) => `  ${p.file}: ${p.path}: ${p.message}`);
  return new StewardError(
    'contract.invalid',
    `the contracts in ${label} have ${problems.length} problem(s):\n${lines.join('\n')}`,
    { dir: label, problems },
  );
}
