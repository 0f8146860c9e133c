import { existsSync, readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { ResolvedConfig } from '../../config/resolved-config.js';
import { loadContracts } from '../../contracts/load-contracts.js';
import { StewardError } from '../../errors/steward-error.js';
import { loadMigrations } from '../../migrations/load-migrations.js';
import {
  migrationId,
  migrationNameProblem,
  migrationTemplate,
  scaffoldVersions,
} from '../../migrations/scaffold/migration-template.js';
import { writeOutFile } from '../out-file.js';

/** A new migration: its name and the collection whose contract gives its versions. */
export interface MigrateCreateInput {
  /** Ends the id: lowercase letters, digits, `.`, `_`, `-`. */
  readonly name: string;
  /** steward's name of the collection `up` rewrites; it needs a contract. */
  readonly collection: string;
  /** When the id is dated; default now. */
  readonly now?: Date;
}

/** The file written and what it says. */
export interface MigrateCreateResult {
  readonly file: string;
  readonly id: string;
  readonly collection: string;
  readonly fromVersion: number;
  readonly targetVersion: number;
  /** False when the contract must still declare `targetVersion` (the file says so too). */
  readonly targetDeclared: boolean;
}

/**
 * Writes `<migrations dir>/<date>-<time>-<name>.migration.ts` from the template (see
 * `migrationTemplate`), its versions taken from the collection's contract. Refuses (exit 2),
 * writing nothing, a bad name, a collection the config does not declare or that has no contract,
 * and a name some migration file already ends with: it never overwrites. Opens no store.
 */
export async function migrateCreate(
  config: ResolvedConfig,
  input: MigrateCreateInput,
): Promise<MigrateCreateResult> {
  const problem = migrationNameProblem(input.name);
  if (problem) throw new StewardError('usage', problem);
  if (!config.collections.has(input.collection))
    throw new StewardError(
      'collection.unknown',
      `--collection ${input.collection}: no such collection in the config (known: ${[...config.collections.keys()].join(', ') || 'none'})`,
    );
  const dir = config.migrations.dir;
  refuseTaken(dir, input.name);
  const contract = (await loadContracts(config.contracts.dir)).contracts.find(
    (c) => c.collection === input.collection,
  );
  if (!contract)
    throw new StewardError(
      'usage',
      `${input.collection} has no contract in ${config.contracts.dir}: write one first (docs/contracts.md); the migration's versions come from it`,
    );
  const targets = (await loadMigrations(dir))
    .filter((m) => m.collections.includes(input.collection))
    .map((m) => m.targetVersion);
  const versions = scaffoldVersions(contract, targets);
  const id = migrationId(input.name, input.now ?? new Date());
  const file = join(dir, `${id}.migration.ts`);
  const text = migrationTemplate({
    id,
    collection: input.collection,
    contractFile: basename(contract.file),
    ...versions,
  });
  writeOutFile(file, text, { flag: 'wx', option: 'migrations.dir' });
  return { file, id, collection: input.collection, ...versions };
}

/** A migration file whose id already ends with the name: a second one would be a copy. */
function refuseTaken(dir: string, name: string): void {
  if (!existsSync(dir)) return;
  const taken = readdirSync(dir).find((f) =>
    new RegExp(`-${name.replace(/[.]/g, '\\.')}\\.migration\\.(ts|mts|js|mjs)$`).test(f),
  );
  if (taken)
    throw new StewardError(
      'usage',
      `${join(dir, taken)} already exists with the name "${name}": steward migrate create never overwrites; choose another name`,
      { file: join(dir, taken) },
    );
}
