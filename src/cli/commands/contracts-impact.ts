import { impactLines } from '../../contracts/impact/impact-lines.js';
import { ExitCode, StewardError } from '../../errors/steward-error.js';
import { contractsImpact } from '../../workspace/contracts/contracts-files.js';
import type { Command } from '../command.js';
import { configIfPresent, contractsDirFor, contractsDirHelp, contractsDirOption } from '../contracts-dir.js';

/** `steward contracts impact`: what depends on one field, before anyone changes it. */
export const contractsImpactCommand: Command = {
  path: ['contracts', 'impact'],
  summary: 'show what depends on a field: consumers, derived state, references, migrations',
  usage: '<collection>.<field> [--dir contracts]',
  description:
    'Reads the contracts only (no store): the services that read or write the field (or a parent\n' +
    'or part of it), derived fields computed from it or found through it, the references it holds\n' +
    'and, for a key, the fields of other collections that point at it, its deprecation, and the\n' +
    "versions that declare it, and the migrations of the config's migrations folder that rewrite its\n" +
    'collection. Example: steward contracts impact subjects.name',
  options: contractsDirOption,
  optionHelp: contractsDirHelp,
  async run(ctx) {
    const ref = ctx.positionals[0];
    if (ref === undefined)
      throw new StewardError('usage', 'name a field, such as "steward contracts impact cases.status"');
    const dir = await contractsDirFor(ctx);
    // Migrations come from the config's migrations folder; without a config there are none to know.
    const config = await configIfPresent(ctx);
    const impact = await contractsImpact({ dir, field: ref, ...(config ? { config } : {}) });
    ctx.output.result(impact);
    for (const line of impactLines(impact)) ctx.output.line(line);
    return ExitCode.ok;
  },
};
