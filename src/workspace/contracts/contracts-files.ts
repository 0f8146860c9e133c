import { existsSync } from 'node:fs';
import type { ResolvedConfig } from '../../config/resolved-config.js';
import type { Baseline } from '../../contracts/baseline/baseline.js';
import { loadBaseline } from '../../contracts/baseline/load-baseline.js';
import { checkContracts } from '../../contracts/check/check-contracts.js';
import type { CheckReport } from '../../contracts/check/check-report.js';
import { type DeprecationEntry, listDeprecations } from '../../contracts/check/list-deprecations.js';
import type { CompatibilityMode } from '../../contracts/compatibility/check-compatibility.js';
import { type ContractDefinition, newestVersion } from '../../contracts/contract.js';
import { toContractDefinition } from '../../contracts/export-contract.js';
import {
  buildDataFlowGraph,
  configDeclarations,
  type DataFlowGraph,
} from '../../contracts/graph/data-flow-graph.js';
import { type GraphFormat, renderGraph } from '../../contracts/graph/render-graph.js';
import type { Impact } from '../../contracts/impact/impact.js';
import { impactOf } from '../../contracts/impact/impact-of.js';
import { splitFieldRef } from '../../contracts/impact/split-field-ref.js';
import { loadContracts } from '../../contracts/load-contracts.js';
import { loadMigrations } from '../../migrations/load-migrations.js';
import { checkDeclarations } from './check-declarations.js';

/**
 * The entry points that read contracts only: no config is needed (give the contracts folder) and
 * no store is opened, so they run in any CI job that has the repository.
 */
export interface ContractsDir {
  /** The contracts folder, absolute. */
  readonly dir: string;
}

/** One contract, summarized. */
export interface ContractRow {
  readonly collection: string;
  readonly owner: string;
  readonly versions: number[];
  readonly newest: number;
  readonly mode: CompatibilityMode;
  readonly semantics: string;
  readonly consumers: string[];
  readonly file: string;
}

/**
 * Loads every contract in the folder and checks it (schemas compile, $refs resolve, consumers name
 * declared fields): any problem is a `contract.invalid` error naming its file and path. With the
 * project's config, a reference the two declare differently is a `config.invalid` error.
 */
export async function contractsList(
  input: ContractsDir & { readonly config?: ResolvedConfig },
): Promise<{ dir: string; contracts: ContractRow[] }> {
  const { dir, contracts } = await loadContracts(input.dir);
  if (input.config) await checkDeclarations(input.config, contracts);
  const rows = contracts.map((c) => ({
    collection: c.collection,
    owner: c.owner,
    versions: c.versions.map((v) => v.version),
    newest: newestVersion(c).version,
    mode: c.compatibility.mode,
    semantics: c.compatibility.semantics,
    consumers: Object.keys(c.consumers),
    file: c.file,
  }));
  return { dir, contracts: rows };
}

/** What to compare the contracts with, and on which day. */
export interface ContractsCheckInput extends ContractsDir {
  /** A folder of contracts, or a git ref (`HEAD`, `origin/main`) whose contracts folder is read from git. */
  readonly baseline: string;
  /** The day deprecations and waivers are judged on, `YYYY-MM-DD`. */
  readonly asOf: string;
  /** Where a relative baseline folder and git run from. Default the working directory. */
  readonly cwd?: string;
}

/** The check report, with the folder and the baseline it compared (notes included). */
export type ContractsCheckResult = { dir: string; baseline: Omit<Baseline, 'contracts'> } & CheckReport;

/**
 * What the contracts break relative to a baseline: breaking schema changes in the newest
 * compatibility group, versions edited or removed, consumers still reading a removed field, fields
 * removed before their deprecation allows. Only what changed since the baseline is reported;
 * `ok` is false on any finding that is not waived.
 */
export async function contractsCheck(input: ContractsCheckInput): Promise<ContractsCheckResult> {
  const { dir } = input;
  const current = await loadContracts(dir);
  const baseline = await loadBaseline(input.baseline, { contractsDir: dir, cwd: input.cwd ?? process.cwd() });
  const report = checkContracts({
    baseline: baseline.contracts,
    current: current.contracts,
    asOf: input.asOf,
  });
  const { contracts: _contracts, ...source } = baseline;
  return { dir, baseline: source, ...report };
}

/** Every deprecated field, its removal date, days left and who still reads it; `dueAndRead` counts the blocked removals. */
export async function contractsDeprecations(
  input: ContractsDir & { readonly asOf: string },
): Promise<{ dir: string; asOf: string; deprecations: DeprecationEntry[]; dueAndRead: number }> {
  const { dir, contracts } = await loadContracts(input.dir);
  const deprecations = listDeprecations(contracts, input.asOf);
  const blocked = deprecations.filter((d) => d.status === 'due' && d.readers.length > 0);
  return { dir, asOf: input.asOf, deprecations, dueAndRead: blocked.length };
}

/** Which field to look at, and the config when there is one (for key fields and migrations). */
export interface ContractsImpactInput extends ContractsDir {
  /** `<collection>.<field>`, such as `subjects.name`. */
  readonly field: string;
  readonly config?: ResolvedConfig;
}

/**
 * What depends on one field: the services that read or write it, derived fields computed from it,
 * the references it holds or that point at it, its deprecation, the versions declaring it, and
 * the migrations of the config's migrations folder that rewrite its collection (none without a
 * config). Reads no store.
 */
export async function contractsImpact(input: ContractsImpactInput): Promise<Impact> {
  const { contracts } = await loadContracts(input.dir);
  const { collection, field } = splitFieldRef(
    input.field,
    contracts.map((c) => c.collection),
  );
  const { config } = input;
  const keyField = config?.collections.get(collection)?.spec.keyField;
  const migrations = config ? await loadMigrations(config.migrations.dir) : [];
  return impactOf(contracts, collection, field, {
    ...(keyField ? { keyField } : {}),
    migrations: migrations.map((m) => ({ id: m.id, collections: m.collections })),
  });
}

/** The data-flow map and its text in the format asked for. */
export interface ContractsGraphResult {
  readonly graph: DataFlowGraph;
  readonly format: GraphFormat;
  readonly text: string;
}

/** What to draw: the contracts folder, and the config's own declarations when there is one. */
export interface ContractsGraphInput extends ContractsDir {
  readonly format: GraphFormat;
  /** Its collections, references and derived state (with their readers) are drawn too. */
  readonly config?: ResolvedConfig;
  /**
   * A folder that does not exist holds no contracts, instead of being an error: for the config's
   * own folder, since a project may declare its references and derived state in the config alone.
   */
  readonly optional?: boolean;
}

/**
 * The data-flow map of what the contracts and the config declare (owners, readers, writers,
 * derived state, references), rendered; a field the two declare differently is marked a conflict,
 * and a reference they point at different collections is a `config.invalid` error.
 */
export async function contractsGraph(input: ContractsGraphInput): Promise<ContractsGraphResult> {
  const contracts =
    input.optional === true && !existsSync(input.dir) ? [] : (await loadContracts(input.dir)).contracts;
  if (input.config) await checkDeclarations(input.config, contracts);
  const graph = buildDataFlowGraph(contracts, input.config ? configDeclarations(input.config) : {});
  return { graph, format: input.format, text: await renderGraph(graph, input.format) };
}

/** Every contract as canonical JSON (schemas inline, every default spelled out), for other languages. */
export async function contractsExport(input: ContractsDir): Promise<ContractDefinition[]> {
  const { contracts } = await loadContracts(input.dir);
  return contracts.map(toContractDefinition);
}
