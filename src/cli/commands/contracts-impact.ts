import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { configFileNames } from '../../config/load-config.js';
import { impactLines } from '../../contracts/impact/impact-lines.js';
import { impactOf } from '../../contracts/impact/impact-of.js';
import { splitFieldRef } from '../../contracts/impact/split-field-ref.js';
import { ExitCode, StewardError } from '../../errors/steward-error.js';
import type { Command, CommandContext } from '../command.js';
import { contractsDirHelp, contractsDirOption, contractsFor } from '../contracts-dir.js';
import { configFor } from '../with-stores.js';

/** `steward contracts impact`: what depends on one field, before anyone changes it. */
export const contractsImpactCommand: Command = {
  path: ['contracts', 'impact'],
  summary: 'show what depends on a field: consumers, derived state, references, migrations',
  usage: '<collection>.<field> [--dir contracts]',
  description:
    'Reads the contracts only (no store): the services that read or write the field (or a parent\n' +
    'or part of it), derived fields computed from it or found through it, the references it holds\n' +
    'and, for a key, the fields of other collections that point at it, its deprecation, and the\n' +
    'versions that declare it. Example: steward contracts impact subjects.name',
  options: contractsDirOption,
  optionHelp: contractsDirHelp,
  async run(ctx) {
    const ref = ctx.positionals[0];
    if (ref === undefined)
      throw new StewardError('usage', 'name a field, such as "steward contracts impact cases.status"');
    const { contracts } = await contractsFor(ctx);
    const { collection, field } = splitFieldRef(
      ref,
      contracts.map((c) => c.collection),
    );
    const keyField = await configuredKeyField(ctx, collection);
    const impact = impactOf(contracts, collection, field, keyField ? { keyField } : {});
    ctx.output.result(impact);
    for (const line of impactLines(impact)) ctx.output.line(line);
    return ExitCode.ok;
  },
};

/**
 * The collection's key field as the config declares it, when there is a config that declares the
 * collection: contracts do not name keys, and a key decides who references the field.
 */
async function configuredKeyField(ctx: CommandContext, collection: string): Promise<string | undefined> {
  const hasConfig =
    typeof ctx.options.config === 'string' || configFileNames.some((n) => existsSync(join(ctx.cwd, n)));
  if (!hasConfig) return undefined;
  return (await configFor(ctx)).collections.get(collection)?.spec.keyField;
}
