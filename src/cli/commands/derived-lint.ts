import { renderLintReport } from '../../derived/lint/lint-derived.js';
import { ExitCode } from '../../errors/steward-error.js';
import { derivedLint } from '../../workspace/derived/derived-reports.js';
import type { Command } from '../command.js';
import { configFor } from '../config-for.js';

/** `steward derived lint`: reviews the contracts of declared derived state, without touching a store. */
export const derivedLintCommand: Command = {
  path: ['derived', 'lint'],
  summary:
    'check the contracts of derived state: every question answered, no stale state behind irreversible decisions',
  usage: '[derived...] [--strict]',
  description:
    'Reviews each declaration (all of them when none is named) against the derived-state contract:\n' +
    'every question answered rather than left to a default, snapshots never refreshed automatically,\n' +
    'no consumer taking irreversible decisions from state allowed to be stale, immediate freshness and\n' +
    'fail-write only with a synchronous refresh, and names that say what the value is (_at_<event>,\n' +
    '_display_cache, _projected, _as_of...). Reads the config only. Exit 1 when there is an error\n' +
    '(or, with --strict, a warning).',
  options: { strict: { type: 'boolean' } },
  optionHelp: { strict: 'fail on warnings too' },
  async run(ctx) {
    const config = await configFor(ctx);
    const result = await derivedLint(config, {
      derived: ctx.positionals,
      strict: ctx.options.strict === true,
    });
    ctx.output.result(result);
    ctx.output.line(renderLintReport(result).join('\n'));
    return result.ok ? ExitCode.ok : ExitCode.findings;
  },
};
