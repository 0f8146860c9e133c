import type { Contract } from '../contracts/contract.js';
import { isJsonObject } from '../core/json.js';
import type { Migration, MigrationDefinition } from './migration.js';

/** One problem in a migration file: the setting and what is wrong with it. */
export interface MigrationProblem {
  readonly file: string;
  readonly path: string;
  readonly message: string;
}

const idPattern = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const operationKinds = ['create-index', 'drop-index', 'rename-field', 'copy-collection'];
const validatorKinds = ['count', 'conforms', 'query', 'parity'];

/**
 * Checks a migration module's default export and returns it with `fromVersion` defaulted, or
 * undefined with the problems added. Pure: the functions are checked to be functions, not run.
 */
export function parseMigration(
  raw: unknown,
  file: string,
  problems: MigrationProblem[],
): Omit<Migration, 'file' | 'checksum'> | undefined {
  const before = problems.length;
  const problem = (path: string, message: string) => problems.push({ file, path, message });
  if (typeof raw !== 'object' || raw === null) {
    problem(
      '(root)',
      'must export default defineMigration({ id, description, collections, targetVersion, up })',
    );
    return undefined;
  }
  const m = raw as Record<string, unknown>;
  if (typeof m.id !== 'string' || !idPattern.test(m.id))
    problem('id', 'must be a string of letters, digits, ".", "_" and "-" (it orders the migrations)');
  if (typeof m.description !== 'string' || m.description.trim() === '') problem('description', 'is required');
  if (
    !Array.isArray(m.collections) ||
    m.collections.length === 0 ||
    m.collections.some((c) => typeof c !== 'string')
  )
    problem('collections', 'must list the collections the migration rewrites');
  const target = m.targetVersion;
  if (typeof target !== 'number' || !Number.isInteger(target) || target < 2)
    problem('targetVersion', 'must be an integer of at least 2 (version 1 is where documents start)');
  const from = m.fromVersion ?? (typeof target === 'number' ? target - 1 : undefined);
  if (
    typeof from !== 'number' ||
    !Number.isInteger(from) ||
    from < 1 ||
    (typeof target === 'number' && from >= target)
  )
    problem('fromVersion', 'must be an integer version below targetVersion');
  if (typeof m.up !== 'function') problem('up', 'must be a function (doc) => doc');
  if (m.down !== undefined && typeof m.down !== 'function')
    problem('down', 'must be a function (doc) => doc when given');
  checkList(m.operations, 'operations', operationKinds, problem);
  if (m.validators !== undefined) {
    if (!isJsonObject(m.validators)) problem('validators', 'must be { before?: [...], after?: [...] }');
    else {
      checkList(m.validators.before, 'validators.before', validatorKinds, problem);
      checkList(m.validators.after, 'validators.after', validatorKinds, problem);
    }
  }
  if (problems.length > before) return undefined;
  return { ...(raw as MigrationDefinition), fromVersion: from as number };
}

function checkList(
  value: unknown,
  path: string,
  kinds: readonly string[],
  problem: (path: string, message: string) => void,
): void {
  if (value === undefined) return;
  if (!Array.isArray(value)) {
    problem(path, 'must be a list');
    return;
  }
  for (const [i, entry] of value.entries()) {
    const kind = (entry as { kind?: unknown } | null)?.kind;
    if (typeof kind !== 'string' || !kinds.includes(kind))
      problem(`${path}[${i}].kind`, `must be one of ${kinds.join(', ')}`);
  }
}

/**
 * Problems between migrations and the contracts they move collections to: every collection a
 * migration rewrites needs a contract declaring both its `fromVersion` and its `targetVersion`, so
 * the target schema validators check against is the contract's, never a second copy.
 */
export function checkMigrationsAgainstContracts(
  migrations: readonly Migration[],
  contracts: readonly Contract[],
): MigrationProblem[] {
  const byName = new Map(contracts.map((c) => [c.collection, c]));
  const problems: MigrationProblem[] = [];
  for (const m of migrations) {
    for (const collection of m.collections) {
      const contract = byName.get(collection);
      if (!contract) {
        problems.push({ file: m.file, path: 'collections', message: `"${collection}" has no contract` });
        continue;
      }
      const versions = contract.versions.map((v) => v.version);
      for (const [setting, version] of [
        ['fromVersion', m.fromVersion],
        ['targetVersion', m.targetVersion],
      ] as const) {
        if (!versions.includes(version))
          problems.push({
            file: m.file,
            path: setting,
            message: `${collection}'s contract (${contract.file}) declares versions ${versions.join(', ')}, not ${version}`,
          });
      }
    }
  }
  return problems;
}
