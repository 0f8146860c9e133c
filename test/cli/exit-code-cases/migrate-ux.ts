/**
 * Exit-code rows of the operator's migration commands (issue 14, items 1-3): scaffolding, init,
 * environments and `--to`. Each is a user mistake answered with exit 2 and one line, writing nothing.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ExitCodeCase } from '../exit-code-case.js';

const config = (extra = '') => `import { defineConfig } from 'steward';
export default defineConfig({ stores: { main: { kind: 'sqlite', file: 'app.sqlite' } }, collections: { items: {} },
  environments: { development: { approvalPolicies: { migrations: { required: 0 } } }, production: {} }${extra} });
`;

const project =
  (extra = '') =>
  (dir: string) => {
    writeFileSync(join(dir, 'steward.config.ts'), config(extra));
    mkdirSync(join(dir, 'contracts'));
    mkdirSync(join(dir, 'migrations'));
    const schema = { type: 'object', properties: { id: { type: 'string' } }, required: ['id'] };
    writeFileSync(
      join(dir, 'contracts/items.contract.json'),
      JSON.stringify({ collection: 'items', owner: 'shop', versions: [{ version: 1, schema }] }),
    );
  };

const noMigrationWritten = (dir: string) => assert.deepEqual(readdirSync(join(dir, 'migrations')), []);

export const cases: ExitCodeCase[] = [
  {
    name: 'migrate create without --collection',
    prepare: project(),
    args: ['migrate', 'create', 'add-tier'],
    code: 2,
    stderr: /--collection is required/,
    after: noMigrationWritten,
  },
  {
    name: 'migrate create for a collection the config does not declare',
    prepare: project(),
    args: ['migrate', 'create', 'add-tier', '--collection', 'orders'],
    code: 2,
    stderr: /--collection orders: no such collection in the config \(known: items\)/,
    after: noMigrationWritten,
  },
  {
    name: 'migrate create with a name that cannot end an id',
    prepare: project(),
    args: ['migrate', 'create', 'Add Tier!', '--collection', 'items'],
    code: 2,
    stderr: /"Add Tier!" is not a migration name/,
    after: noMigrationWritten,
  },
  {
    name: 'migrate create for a collection without a contract',
    prepare: (dir) => {
      project(", migrations: { dir: 'migrations' }")(dir);
      writeFileSync(
        join(dir, 'contracts/items.contract.json'),
        '{"collection":"other","owner":"x","versions":[{"version":1,"schema":{}}]}',
      );
    },
    args: ['migrate', 'create', 'add-tier', '--collection', 'items'],
    code: 2,
    stderr: /items has no contract in .*contracts: write one first/,
    after: noMigrationWritten,
  },
  {
    name: 'migrate apply --to naming no migration',
    prepare: project(),
    args: ['migrate', 'apply', '--to', 'no-such-migration', '--env', 'development'],
    code: 2,
    stderr: /--to no-such-migration: no migration has that id \(known: none\)/,
  },
  {
    name: 'migrate plan --to naming no migration',
    prepare: project(),
    args: ['migrate', 'plan', '--to', 'no-such-migration'],
    code: 2,
    stderr: /--to no-such-migration: no migration has that id/,
  },
  {
    name: '--env naming an environment the config does not declare',
    prepare: project(),
    args: ['migrate', 'status', '--env', 'staging'],
    code: 2,
    stderr:
      /environments: has no environment "staging" \(chosen by --env or STEWARD_ENV\); declared: development, production/,
  },
  {
    name: 'STEWARD_ENV naming an environment the config does not declare',
    prepare: project(),
    args: ['migrate', 'status'],
    env: { STEWARD_ENV: 'prod' },
    code: 2,
    stderr: /has no environment "prod"/,
  },
  {
    name: 'an environment letting deletions through without approval',
    prepare: (dir) => {
      project()(dir);
      writeFileSync(
        join(dir, 'steward.config.ts'),
        readFileSync(join(dir, 'steward.config.ts'), 'utf8').replace(
          'production: {}',
          "production: {}, dev2: { approvalPolicies: { 'refs.delete-dependent': { required: 0 } } }",
        ),
      );
    },
    args: ['migrate', 'status'],
    code: 2,
    stderr: /environments\.dev2\.approvalPolicies\.refs\.delete-dependent\.required: must be at least 1/,
  },
  {
    name: 'init with an unknown store kind',
    args: ['init', '--store', 'mongodb', '--store', 'postgres'],
    code: 2,
    stderr: /--store must be sqlite, mongodb or dynamodb \(got "postgres"\)/,
    after: (dir) => assert.equal(existsSync(join(dir, 'steward.config.ts')), false),
  },
  {
    name: 'init with the same store kind twice',
    args: ['init', '--store', 'mongodb', '--store', 'mongodb'],
    code: 2,
    stderr: /--store mongodb is given twice/,
    after: (dir) => assert.equal(existsSync(join(dir, 'steward.config.ts')), false),
  },
];
