import { formatCount } from '../../core/format-count.js';
import { renderDualRunReport } from '../../derived/dual-run-report.js';
import { ExitCode } from '../../errors/steward-error.js';
import { derivedDropShadow, derivedDualRun } from '../../workspace/derived/derived-dual-run.js';
import type { Command } from '../command.js';
import { configFor } from '../config-for.js';
import {
  derivedArg,
  jobOptionHelp,
  jobOptionSpecs,
  jobOptions,
  jobRunOptions,
} from '../derived-job-options.js';
import { intOption } from '../int-option.js';

/** `steward derived dual-run`: builds projection version N+1 beside version N and compares them. */
export const derivedDualRunCommand: Command = {
  path: ['derived', 'dual-run'],
  summary: 'build a new projection version beside the values in place, compare them, print a report hash',
  usage: '<derived> [--version N] [--batch N] [--drop] [--restart] [--lease-ttl 30s]',
  description:
    'The declaration holds the new logic (its transform and version N+1); the values in place are\n' +
    'version N. Writes each new value in the shadow field <field>__v<N+1> of its document, compares it\n' +
    'with the value in place and prints the counts, a sample of differences and a report hash. Nothing\n' +
    'consumers read changes. Accept the report with `steward derived cutover <derived> --report <hash>`;\n' +
    'undo the run with --drop. Checkpointed: rerun after an interruption and it resumes.',
  options: {
    version: { type: 'string' },
    batch: { type: 'string', default: '500' },
    drop: { type: 'boolean' },
    ...jobOptionSpecs,
  },
  optionHelp: {
    version:
      "the version being proven; must be the declaration's version (a guard against running the old config)",
    batch: 'derived documents per batch (default 500)',
    drop: 'remove the shadow values instead (undo a dual run)',
    ...jobOptionHelp,
  },
  async run(ctx) {
    const config = await configFor(ctx);
    const derived = derivedArg(ctx, 'steward derived dual-run case_list.openTaskCount');
    const version = ctx.options.version === undefined ? undefined : Number(ctx.options.version);
    const batch = intOption(ctx, 'batch', 500, 1);
    const input = { derived, batch, ...(version === undefined ? {} : { version }), ...jobOptions(ctx) };
    if (ctx.options.drop === true) {
      const { shadow, examined, dropped } = await derivedDropShadow(config, input, jobRunOptions(ctx));
      ctx.output.line(
        `${derived}: ${formatCount(dropped)} shadow value(s) ${shadow} removed of ${formatCount(examined)} document(s)`,
      );
      ctx.output.result({ ok: true, examined, dropped });
      return ExitCode.ok;
    }
    const report = await derivedDualRun(config, input, jobRunOptions(ctx));
    ctx.output.line(renderDualRunReport(report).join('\n'));
    ctx.output.result({ ok: true, report });
    return ExitCode.ok;
  },
};
