import type { ResolvedConfig } from '../../config/resolved-config.js';
import { type DeprecationEntry, listDeprecations } from '../../contracts/check/list-deprecations.js';
import type { Contract } from '../../contracts/contract.js';
import { loadContracts } from '../../contracts/load-contracts.js';
import { isStewardError, StewardError } from '../../errors/steward-error.js';
import { migratePlanRead } from '../migrations/migrate-plan.js';
import { migrateStatus } from '../migrations/migrate-status.js';
import type { RunOptions } from '../run-options.js';

/** One collection a service touches, as its contracts say, with the versions it must understand. */
export interface ServiceCollection {
  readonly collection: string;
  readonly owns: boolean;
  readonly reads: readonly string[];
  readonly writes: readonly string[];
  /** Every declared schema version: a reader meets documents of any version still stored. */
  readonly versions: readonly number[];
  readonly newest: number;
}

/** What a service needs to know of steward's state, from its point of view. */
export interface ServiceView {
  readonly service: string;
  readonly collections: ServiceCollection[];
  /** Fields the service declared, as owner (`fields` of its contracts), by collection. */
  readonly fieldsDeclared: Readonly<Record<string, readonly string[]>>;
  /** Pending and running migrations of the collections it touches. */
  readonly migrations: {
    readonly pending: readonly { id: string; description: string; collections: readonly string[] }[];
    readonly running: readonly { id: string; status: string; phase: string | null }[];
    /** Why the plan could not be read, when it could not (the pending list is then empty). */
    readonly problem: string | null;
  };
  /** Deprecated fields of those collections it owns or reads. */
  readonly deprecations: DeprecationEntry[];
}

/**
 * A service's view of the contracts and migrations: the collections it owns, reads and writes,
 * the fields it declared, the schema versions it must understand, and the pending or running
 * migrations and deprecations that concern it. `input.invalid` (field `name`) for a service no
 * contract names. Writes nothing.
 */
export async function serviceView(
  config: ResolvedConfig,
  input: { readonly name: string; readonly asOf?: string },
  options: RunOptions = {},
): Promise<ServiceView> {
  const { contracts } = await loadContracts(config.contracts.dir);
  const collections = contracts.flatMap((c) => touched(c, input.name));
  if (collections.length === 0)
    throw new StewardError(
      'input.invalid',
      `no contract names the service "${input.name}" as owner or consumer`,
      {
        field: 'name',
      },
    );
  const names = new Set(collections.map((c) => c.collection));
  const fieldsDeclared = Object.fromEntries(
    contracts.filter((c) => c.owner === input.name).map((c) => [c.collection, Object.keys(c.fields)]),
  );
  const asOf = input.asOf ?? new Date().toISOString().slice(0, 10);
  const reading = new Set(
    collections.flatMap((c) => (c.owns ? [] : c.reads.map((f) => `${c.collection}.${f}`))),
  );
  const deprecations = listDeprecations(contracts, asOf).filter(
    (d) => names.has(d.collection) && (d.owner === input.name || reading.has(`${d.collection}.${d.field}`)),
  );
  return {
    service: input.name,
    collections,
    fieldsDeclared,
    migrations: await migrationsOf(config, names, options),
    deprecations,
  };
}

function touched(contract: Contract, service: string): ServiceCollection[] {
  const owns = contract.owner === service;
  const consumer = contract.consumers[service];
  if (!owns && !consumer) return [];
  const versions = contract.versions.map((v) => v.version);
  return [
    {
      collection: contract.collection,
      owns,
      reads: consumer?.reads ?? [],
      writes: consumer?.writes ?? [],
      versions,
      newest: Math.max(...versions),
    },
  ];
}

async function migrationsOf(
  config: ResolvedConfig,
  names: ReadonlySet<string>,
  options: RunOptions,
): Promise<ServiceView['migrations']> {
  const status = await migrateStatus(config, options);
  const running = status.inProgress.map(({ id, status, phase }) => ({ id, status, phase }));
  try {
    const plan = await migratePlanRead(config, options);
    const pending = plan.migrations
      .filter((m) => m.collections.some((c) => names.has(c)))
      .map((m) => ({ id: m.id, description: m.description, collections: m.collections }));
    return { pending, running, problem: null };
  } catch (error) {
    if (!isStewardError(error, 'migration.invalid')) throw error;
    return { pending: [], running, problem: error.message };
  }
}
