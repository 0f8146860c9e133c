import type { Contract } from '../../contracts/contract.js';

/** What a new migration file is made from: its id, its collection and the versions it moves between. */
export interface MigrationScaffold {
  readonly id: string;
  readonly collection: string;
  readonly fromVersion: number;
  readonly targetVersion: number;
  /** False when the contract does not declare `targetVersion` yet: the file says to add it. */
  readonly targetDeclared: boolean;
  /** The contract's file name, for the comment that says where to declare the target version. */
  readonly contractFile: string;
}

const namePattern = /^[a-z0-9][a-z0-9._-]*$/;

/** Why `name` cannot end a migration id, or undefined: lowercase letters, digits, `.`, `_`, `-`. */
export function migrationNameProblem(name: string): string | undefined {
  return namePattern.test(name)
    ? undefined
    : `"${name}" is not a migration name: use lowercase letters, digits, ".", "_" and "-", such as add-display-name`;
}

/**
 * A migration id that sorts after every earlier one: the UTC date and time to the second, then
 * the name (`2026-12-05-071200-add-display-name`).
 */
export function migrationId(name: string, now: Date): string {
  const iso = now.toISOString();
  return `${iso.slice(0, 10)}-${iso.slice(11, 19).replaceAll(':', '')}-${name}`;
}

/**
 * The versions a new migration of `contract`'s collection moves between. When the contract already
 * declares a newest version no migration reaches yet (someone wrote v2 first, as the docs advise),
 * the migration goes from the version before it to it; otherwise from the newest to the next one,
 * which the contract must then declare. Pure.
 */
export function scaffoldVersions(
  contract: Contract,
  targets: readonly number[],
): { fromVersion: number; targetVersion: number; targetDeclared: boolean } {
  const declared = contract.versions.map((v) => v.version);
  const newest = Math.max(...declared);
  if (declared.includes(newest - 1) && !targets.includes(newest))
    return { fromVersion: newest - 1, targetVersion: newest, targetDeclared: true };
  return { fromVersion: newest, targetVersion: newest + 1, targetDeclared: false };
}

/**
 * The text of a new `<id>.migration.ts`: typed by `defineMigration`, with `up` and `down` that
 * change nothing yet, a `conforms` validator before (the documents match the old version) and
 * after (they match the new one), and TODOs where the author writes the change. It plans, dry-runs
 * and applies as it is once the contract declares both versions.
 */
export function migrationTemplate(s: MigrationScaffold): string {
  const c = JSON.stringify(s.collection);
  const declare = s.targetDeclared
    ? ''
    : `\n  // TODO: declare version ${s.targetVersion} in ${s.contractFile} first: plan refuses a version the contract lacks.`;
  return `import { defineMigration } from 'steward';

// Made by "steward migrate create". Docs: docs/migrations.md (writing a migration, validators).
export default defineMigration({
  id: '${s.id}',
  // TODO: one line for plans, reports and the audit log.
  description: '${s.collection}: v${s.fromVersion} -> v${s.targetVersion}',
  collections: [${c}],
  fromVersion: ${s.fromVersion},${declare}
  targetVersion: ${s.targetVersion},
  // A pure function of one v${s.fromVersion} document; steward sets the version field afterwards.
  up: (doc) => {
    // TODO: return the document in its v${s.targetVersion} shape.
    return { ...doc };
  },
  // The inverse of up: the dry run checks down(up(doc)) gives doc back exactly.
  down: (doc) => {
    // TODO: return the document in its v${s.fromVersion} shape.
    return { ...doc };
  },
  validators: {
    before: [{ kind: 'conforms', name: '${s.collection} match v${s.fromVersion}', collection: ${c} }],
    after: [{ kind: 'conforms', name: '${s.collection} match v${s.targetVersion}', collection: ${c} }],
  },
});
`;
}
