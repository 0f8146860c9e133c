import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ContractDefinition } from '../contracts/contract.js';
import type { JsonObject } from '../core/json.js';
import { caseManagementModel } from './case-management-model.js';
import { exampleContracts } from './example-contracts.js';

/**
 * The example's migration, for the demo and the tests: subjects v1 -> v2.
 *
 * A subject's `name` becomes `displayName` (the field the case list projects into
 * `case_list.subjectName`, so its consumers and the projection's source change with it), and
 * people get their name split into `nameParts: { given, family }` (organisations get null). It has
 * an exact `down`, validators before and after, and the v2 contract it moves to.
 */
export const exampleMigrationId = '2026-07-01-subject-display-name';

/** The file name the migration is written under in a migrations folder. */
export const exampleMigrationFile = `${exampleMigrationId}.migration.ts`;

/**
 * The migration file's text. It is self-contained (it imports only `steward`), so the demo writes
 * it into a project's migrations folder as a user would have written it.
 */
export function exampleMigrationSource(): string {
  return `import { defineMigration } from 'steward';

/**
 * subjects v2: \`name\` is renamed \`displayName\` (what the case list shows), and a person's name
 * is split into \`nameParts\` ({ given, family }); an organisation's nameParts is null.
 */
export default defineMigration({
  id: '${exampleMigrationId}',
  description: 'subjects: name becomes displayName; people get nameParts { given, family }',
  collections: ['subjects'],
  targetVersion: 2,
  up: ({ name, ...rest }) => {
    if (typeof name !== 'string' || name.trim() === '')
      throw new Error(\`name is \${JSON.stringify(name)}, not a name to split\`);
    const space = name.indexOf(' ');
    const nameParts =
      rest.kind === 'person' && space > 0 ? { given: name.slice(0, space), family: name.slice(space + 1) } : null;
    return { ...rest, displayName: name, nameParts };
  },
  down: ({ displayName, nameParts: _parts, ...rest }) => ({ ...rest, name: displayName ?? null }),
  validators: {
    before: [
      { kind: 'conforms', name: 'subjects match v1', collection: 'subjects' },
      {
        kind: 'query',
        name: 'every subject has a name',
        collection: 'subjects',
        check: (doc) => (typeof doc.name === 'string' && doc.name !== '' ? undefined : 'has no name'),
      },
    ],
    after: [
      {
        kind: 'parity',
        name: 'the case list shows the same name',
        collection: 'subjects',
        before: (doc) => doc.name,
        after: (doc) => doc.displayName,
      },
      {
        kind: 'query',
        name: 'people have name parts',
        collection: 'subjects',
        where: { kind: 'person' },
        check: (doc) => (doc.nameParts === null ? 'a person without nameParts' : undefined),
      },
    ],
  },
});
`;
}

/** Writes the migration into `dir` (created if needed) and returns the file's path. */
export function writeExampleMigration(dir: string): string {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, exampleMigrationFile);
  writeFileSync(file, exampleMigrationSource());
  return file;
}

const str = { type: 'string' };

/** The subjects schema of version 2: v1's without `name`, with `displayName` and `nameParts`. */
export function subjectsSchemaV2(): JsonObject {
  const v1 = caseManagementModel.collections.subjects.schema as {
    properties: JsonObject;
    required: string[];
  };
  const { name: _name, ...properties } = v1.properties;
  const nameParts = {
    type: ['object', 'null'],
    properties: { given: str, family: str },
    required: ['given', 'family'],
  };
  return {
    type: 'object',
    properties: { ...properties, schemaVersion: { const: 2 }, displayName: str, nameParts },
    required: [...v1.required.filter((f) => f !== 'name'), 'displayName', 'nameParts'],
  };
}

/**
 * The example's contracts after the migration: subjects gains version 2 (a new compatibility
 * group: `name` is gone), its consumers read `displayName`, and the case list's `subjectName` is
 * projected from `subjects.displayName`. Write them over the v1 contracts before planning.
 */
export function exampleContractsV2(): ContractDefinition[] {
  return exampleContracts().map((contract) => {
    if (contract.collection === 'subjects') return subjectsV2(contract);
    if (contract.collection === 'case_list') return caseListV2(contract);
    return contract;
  });
}

function subjectsV2(contract: ContractDefinition): ContractDefinition {
  const consumers = Object.fromEntries(
    Object.entries(contract.consumers ?? {}).map(([service, use]) => [
      service,
      { ...use, reads: (use.reads ?? []).map((field) => (field === 'name' ? 'displayName' : field)) },
    ]),
  );
  return {
    ...contract,
    versions: [
      ...contract.versions,
      {
        version: 2,
        schema: subjectsSchemaV2(),
        startsCompatibilityGroup: `migration ${exampleMigrationId}: name became displayName, split into nameParts`,
      },
    ],
    consumers,
  };
}

function caseListV2(contract: ContractDefinition): ContractDefinition {
  const fields = { ...contract.fields };
  const subjectName = fields.subjectName;
  if (subjectName?.source === 'subjects.name')
    fields.subjectName = { ...subjectName, source: 'subjects.displayName' };
  return { ...contract, fields };
}
