import { renderDeprecations } from '../../contracts/check/render-check-report.js';
import { ExitCode } from '../../errors/steward-error.js';
import { contractsDeprecations } from '../../workspace/contracts/contracts-files.js';
import { asOfOption } from '../as-of-option.js';
import type { Command } from '../command.js';
import { contractsDirFor, contractsDirHelp, contractsDirOption } from '../contracts-dir.js';

/** `steward contracts deprecations`: every deprecated field, its removal date and who still reads it. */
export const contractsDeprecationsCommand: Command = {
  path: ['contracts', 'deprecations'],
  summary: 'list deprecated fields: removal dates, days left, who still reads them',
  usage: '[--dir contracts] [--as-of YYYY-MM-DD] [--fail-on-due]',
  description:
    'A field is due from its removeAfter day on. Exit 0, or with --fail-on-due exit 1 when a due\n' +
    'field is still read by a consumer: that consumer now blocks the removal the owner announced.',
  options: { ...contractsDirOption, 'as-of': { type: 'string' }, 'fail-on-due': { type: 'boolean' } },
  optionHelp: {
    ...contractsDirHelp,
    'as-of': 'the day to judge on (default: today, UTC)',
    'fail-on-due': 'exit 1 when a due field still has readers',
  },
  async run(ctx) {
    const asOf = asOfOption(ctx);
    const result = await contractsDeprecations({ dir: await contractsDirFor(ctx), asOf });
    const blocked = result.dueAndRead;
    ctx.output.result(result);
    for (const line of renderDeprecations(result.deprecations, asOf)) ctx.output.line(line);
    if (ctx.options['fail-on-due'] !== true || blocked === 0) return ExitCode.ok;
    ctx.output.note(`${blocked} due field(s) still read: their readers block the removal`);
    return ExitCode.findings;
  },
};
