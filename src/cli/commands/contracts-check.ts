import { renderCheckReport } from '../../contracts/check/render-check-report.js';
import { ExitCode, StewardError } from '../../errors/steward-error.js';
import { contractsCheck } from '../../workspace/contracts/contracts-files.js';
import { asOfOption } from '../as-of-option.js';
import type { Command, CommandContext } from '../command.js';
import { contractsDirFor, contractsDirHelp, contractsDirOption } from '../contracts-dir.js';

/** `steward contracts check`: what the contracts break relative to a baseline; exit 1 on any failing finding. */
export const contractsCheckCommand: Command = {
  path: ['contracts', 'check'],
  summary: 'check contract changes against a baseline: compatibility, consumers, deprecations',
  usage: '--baseline <git-ref|folder> [--dir contracts] [--as-of YYYY-MM-DD]',
  description:
    'Compares the contracts with a baseline: a folder of contracts, or a git ref (HEAD, origin/main)\n' +
    'whose contracts folder is read from git. Reports breaking schema changes in the newest\n' +
    'compatibility group, versions edited or removed, consumers still reading a removed field and\n' +
    'fields removed before their deprecation allows. Only what changed since the baseline is reported.\n' +
    'Exit 1 on any finding that is not waived. The baseline is required (or STEWARD_BASELINE):\n' +
    'a default of HEAD would compare nothing in CI, where the working tree is the last commit.\n' +
    'Rules, waivers and a CI example: docs/contracts-check.md.',
  options: { ...contractsDirOption, baseline: { type: 'string', short: 'b' }, 'as-of': { type: 'string' } },
  optionHelp: {
    ...contractsDirHelp,
    baseline: 'a git ref or a folder of contracts to compare with (default: $STEWARD_BASELINE)',
    'as-of': 'the day deprecations and waivers are judged on (default: today, UTC)',
  },
  async run(ctx) {
    const spec = baselineOption(ctx);
    const asOf = asOfOption(ctx);
    const dir = await contractsDirFor(ctx);
    const report = await contractsCheck({ dir, baseline: spec, asOf, cwd: ctx.cwd });
    for (const note of report.baseline.notes) ctx.output.note(note);
    ctx.output.result(report);
    ctx.output.line(`contracts in ${dir} against ${report.baseline.label}`);
    for (const line of renderCheckReport(report)) ctx.output.line(line);
    return report.ok ? ExitCode.ok : ExitCode.findings;
  },
};

function baselineOption(ctx: CommandContext): string {
  const given = ctx.options.baseline;
  if (typeof given === 'string' && given !== '') return given;
  const fromEnv = ctx.env.STEWARD_BASELINE;
  if (fromEnv) return fromEnv;
  throw new StewardError(
    'usage',
    'contracts check needs a baseline to compare with: --baseline HEAD (the last commit), ' +
      '--baseline origin/main (the target branch, in CI) or --baseline <folder>; or set STEWARD_BASELINE',
  );
}
