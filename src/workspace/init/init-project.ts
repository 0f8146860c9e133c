import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { StewardError } from '../../errors/steward-error.js';
import { writeOutFile } from '../out-file.js';
import { type StarterKind, starterConfig, starterKinds } from './starter-config.js';

/** What `initProject` makes: a config for these stores, in `dir`. */
export interface InitProjectInput {
  readonly dir: string;
  /** One or more store kinds, each at most once; the ledger goes in the first. */
  readonly stores: readonly string[];
  /** Replace an existing steward.config.ts. */
  readonly force?: boolean;
}

/** The files and folders written. */
export interface InitProjectResult {
  readonly written: string;
  readonly stores: readonly StarterKind[];
  /** `contracts/` and `migrations/`, created when missing. */
  readonly folders: readonly string[];
}

/**
 * Writes a starter steward.config.ts for the stores (see `starterConfig`) and creates the
 * `contracts/` and `migrations/` folders beside it. Refuses (`usage`, exit 2), writing nothing, an
 * unknown or repeated store kind, and an existing config unless `force`. Opens no store.
 */
export function initProject(input: InitProjectInput): InitProjectResult {
  const kinds = checkKinds(input.stores);
  const file = join(input.dir, 'steward.config.ts');
  if (existsSync(file) && !input.force)
    throw new StewardError('usage', `${file} already exists; pass --force to overwrite it`, { file });
  writeOutFile(file, starterConfig(kinds), { option: 'steward init' });
  const folders = ['contracts', 'migrations'].map((name) => join(input.dir, name));
  for (const folder of folders) mkdirSync(folder, { recursive: true });
  return { written: file, stores: kinds, folders };
}

function checkKinds(stores: readonly string[]): StarterKind[] {
  const list = stores.length === 0 ? ['sqlite'] : stores;
  for (const kind of list)
    if (!starterKinds.includes(kind as StarterKind))
      throw new StewardError('usage', `--store must be sqlite, mongodb or dynamodb (got "${kind}")`);
  const repeated = list.find((kind, i) => list.indexOf(kind) !== i);
  if (repeated)
    throw new StewardError(
      'usage',
      `--store ${repeated} is given twice: each kind names one store in the config`,
    );
  return list as StarterKind[];
}
