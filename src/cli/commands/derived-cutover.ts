import { ExitCode, StewardError } from '../../errors/steward-error.js';
import { derivedCutover } from '../../workspace/derived/derived-cutover.js';
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

/** `steward derived cutover`: switches to the projection version a dual run proved, given its report. */
export const derivedCutoverCommand: Command = {
  path: ['derived', 'cutover'],
  summary: 'switch to the new projection version built by a dual run, when its report hash still holds',
  usage: '<derived> --report dr-... [--batch N] [--lease-ttl 30s]',
  description:
    'Hashes the values in place and the shadow values again; if that does not give the accepted report\n' +
    'hash (the data changed since the dual run), refuses with exit 1 and writes nothing. Otherwise, in\n' +
    'checkpointed batches with before-images and audit records, makes each shadow value the value in place\n' +
    '(conditional on the value in place being unchanged), stamps _projection.<field>.projectionVersion\n' +
    'with the new version and removes the shadow. Exit 1 when a document changed meanwhile (skipped).',
  options: {
    report: { type: 'string' },
    batch: { type: 'string', default: '500' },
    ...jobOptionSpecs,
  },
  optionHelp: {
    report: 'the report hash printed by `steward derived dual-run`, such as dr-0123456789abcdef0123',
    batch: 'derived documents per batch (default 500)',
    ...jobOptionHelp,
    restart: 'ignore the checkpoint of an interrupted cutover (verifies the report again)',
  },
  async run(ctx) {
    const config = await configFor(ctx);
    const report = String(ctx.options.report ?? '');
    if (!/^dr-[0-9a-f]{20}$/.test(report))
      throw new StewardError(
        'usage',
        `--report must be the hash a dual run printed, such as dr-0123456789abcdef0123 (got "${report}")`,
      );
    const derived = derivedArg(ctx, 'steward derived cutover case_list.openTaskCount --report dr-...');
    const batch = intOption(ctx, 'batch', 500, 1);
    const input = { derived, report, batch, ...jobOptions(ctx) };
    const result = await derivedCutover(config, input, jobRunOptions(ctx));
    ctx.output.line(
      `${result.derived}: version ${result.version} in place: ${result.switched} switched, ${result.withoutShadow} without a shadow, ${result.skipped} skipped (of ${result.examined})`,
    );
    for (const p of result.problems.slice(0, 20))
      ctx.output.line(`  skipped ${JSON.stringify(p.key)}: ${p.reason}`);
    ctx.output.result({ ok: result.skipped === 0, report: result });
    return result.skipped > 0 ? ExitCode.findings : ExitCode.ok;
  },
};
