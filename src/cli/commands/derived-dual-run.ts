import { dropShadow } from '../../derived/drop-shadow.js';
import { dualRun } from '../../derived/dual-run.js';
import { renderDualRunReport, shadowField } from '../../derived/dual-run-report.js';
import { ExitCode, StewardError } from '../../errors/steward-error.js';
import type { Command } from '../command.js';
import { jobOptionHelp, jobOptionSpecs, jobOptions } from '../derived-job-options.js';
import { configFor, intOption } from '../with-stores.js';
import { oneDerived, withDerived } from './drift-check.js';

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
    const d = oneDerived(ctx, config, 'steward derived dual-run case_list.openTaskCount');
    const wanted = ctx.options.version === undefined ? d.version : Number(ctx.options.version);
    if (wanted !== d.version)
      throw new StewardError(
        'usage',
        `--version ${String(ctx.options.version)} is not the version ${d.name} declares (${d.version}); set version: ${String(ctx.options.version)} and the new transform in ${config.file ?? 'the config'} first`,
        { derived: d.name },
      );
    const batch = intOption(ctx, 'batch', 500, 1);
    return withDerived(ctx, config, [d], async (run) => {
      const handles = { derived: d, ...run.handles(d), ledger: run.ledger, batch, ...jobOptions(ctx) };
      if (ctx.options.drop === true) {
        const dropped = await dropShadow(handles);
        ctx.output.line(
          `${d.name}: ${dropped.dropped} shadow value(s) ${shadowField(d.field, d.version)} removed of ${dropped.examined} document(s)`,
        );
        ctx.output.result({ ok: true, ...dropped });
        return ExitCode.ok;
      }
      const report = await dualRun(handles);
      ctx.output.line(renderDualRunReport(report).join('\n'));
      ctx.output.result({ ok: true, report });
      return ExitCode.ok;
    });
  },
};
