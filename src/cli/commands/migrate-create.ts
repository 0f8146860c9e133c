import { ExitCode, StewardError } from '../../errors/steward-error.js';
import { migrateCreate } from '../../workspace/migrations/migrate-create.js';
import type { Command } from '../command.js';
import { configFor } from '../config-for.js';

/** `steward migrate create <name> --collection C`: a typed migration file from a template. */
export const migrateCreateCommand: Command = {
  path: ['migrate', 'create'],
  summary: 'write a new migration file from a template, its versions taken from the contract',
  usage: '<name> --collection <collection>',
  description:
    'Writes <migrations dir>/<date>-<time>-<name>.migration.ts: defineMigration with up, down and\n' +
    'conforms validators before and after, the from and target versions taken from the contract of\n' +
    'the collection (the version before its newest and the newest, when no migration reaches the\n' +
    'newest yet; otherwise the newest and the next, which the contract must then declare). Never\n' +
    'overwrites: exit 2 when a migration with that name exists, the collection is unknown or has no\n' +
    'contract. Opens no store.',
  options: { collection: { type: 'string' } },
  optionHelp: { collection: 'the collection up rewrites (it needs a contract)' },
  async run(ctx) {
    const name = ctx.positionals[0];
    if (!name)
      throw new StewardError('usage', 'name the migration: steward migrate create <name> --collection <c>');
    const collection = ctx.options.collection;
    if (typeof collection !== 'string')
      throw new StewardError(
        'usage',
        '--collection is required: the collection whose contract gives the versions',
      );
    const config = await configFor(ctx);
    const result = await migrateCreate(config, { name, collection });
    ctx.output.result(result);
    ctx.output.line(`wrote ${result.file}`);
    ctx.output.line(`  ${result.collection}: v${result.fromVersion} -> v${result.targetVersion}`);
    if (!result.targetDeclared)
      ctx.output.line(
        `  declare version ${result.targetVersion} in the ${result.collection} contract before planning`,
      );
    ctx.output.line('next: write up and down, then steward migrate plan');
    return ExitCode.ok;
  },
};
