import { checkRebuildScope, type RebuildScope } from '../../derived/rebuild-derived.js';
import { renderRepairReport } from '../../derived/repair-report.js';
import { snapshotApprovalKind } from '../../derived/snapshot-approval.js';
import { ExitCode, StewardError } from '../../errors/steward-error.js';
import { derivedRebuild } from '../../workspace/derived/derived-rebuild.js';
import { segmentOption, whereOption } from '../collection-arg.js';
import type { Command, CommandContext } from '../command.js';
import { configFor } from '../config-for.js';
import {
  derivedArg,
  jobOptionHelp,
  jobOptionSpecs,
  jobOptions,
  jobRunOptions,
  segmentJobHelp,
  segmentJobSpec,
} from '../derived-job-options.js';
import { intOption } from '../int-option.js';
import { noteRefusal } from '../note-refusal.js';

/** `steward rebuild`: recomputes derived state for one entity, a range or everything. */
export const rebuildCommand: Command = {
  path: ['rebuild'],
  summary: 'recompute derived state for one entity (--id), a range (--where) or everything (--all)',
  usage:
    '<derived> (--id KEY... | --where F | --all) [--segment i/N] [--version N] [--dry-run] [--batch N] [--force] [--restart] [--lease-ttl 30s]',
  description:
    'Recomputes the named derived state from its source and writes what differs, with the safety of\n' +
    '`drift repair`: conditional writes, before-images, `_projection.<field>` metadata, an audit record\n' +
    'per batch; open drift incidents of rewritten documents are closed. --where and --all save a\n' +
    'checkpoint after every batch: rerun the same command after an interruption (even kill -9) and it\n' +
    'resumes after the last batch done (--restart starts over); a second run writes nothing.\n' +
    'With --where or --all, --segment i/N rebuilds one segment: N processes or machines share the work.\n' +
    '--version N (the version the declaration says) also stamps documents whose value is right but\n' +
    'which an older projection version computed, so none is left behind after the logic changed.\n' +
    `Snapshots are left alone unless --force with approvals of kind ${snapshotApprovalKind}.\n` +
    'Exit 1 when anything was skipped or failed.',
  options: {
    id: { type: 'string', multiple: true },
    where: { type: 'string', short: 'w' },
    all: { type: 'boolean' },
    version: { type: 'string' },
    'dry-run': { type: 'boolean' },
    batch: { type: 'string', default: '500' },
    force: { type: 'boolean' },
    ...segmentJobSpec,
    ...jobOptionSpecs,
  },
  optionHelp: {
    id: 'the key (a string) of a derived document; repeat for several',
    where: 'derived documents matching this filter (JSON)',
    all: 'every derived document',
    version: "stamp every document in scope with projection version N (the declaration's version)",
    'dry-run': 'print what would change; write nothing',
    batch: 'derived documents per batch (default 500)',
    force: 'also refresh snapshots; needs approvals of the printed subject',
    ...segmentJobHelp,
    ...jobOptionHelp,
  },
  async run(ctx) {
    const config = await configFor(ctx);
    const derived = derivedArg(ctx, 'steward rebuild case_list.openTaskCount --all');
    const scope = scopeOption(ctx);
    const segment = segmentOption(ctx);
    if (segment && 'ids' in scope)
      throw new StewardError('usage', '--segment splits --where or --all; --id names the documents already');
    const batch = intOption(ctx, 'batch', 500, 1);
    const version = ctx.options.version === undefined ? undefined : Number(ctx.options.version);
    const input = {
      derived,
      scope,
      dryRun: ctx.options['dry-run'] === true,
      batch,
      force: ctx.options.force === true,
      ...(version === undefined ? {} : { version }),
      ...(segment ? { segment } : {}),
      ...jobOptions(ctx),
    };
    const result = await derivedRebuild(config, input, jobRunOptions(ctx));
    if ('refused' in result) {
      noteRefusal(ctx, result.refused);
      return ExitCode.findings;
    }
    ctx.output.line(renderRepairReport(result.report).join('\n'));
    ctx.output.result(result);
    return result.ok ? ExitCode.ok : ExitCode.findings;
  },
};

function scopeOption(ctx: CommandContext): RebuildScope {
  const ids = ctx.options.id as string[] | undefined;
  const given = [ids !== undefined, ctx.options.where !== undefined, ctx.options.all === true].filter(
    Boolean,
  ).length;
  if (given !== 1)
    throw new StewardError(
      'usage',
      'say what to rebuild with exactly one of --id KEY, --where FILTER or --all',
    );
  if (ids) return { ids };
  if (ctx.options.all === true) return { all: true };
  const scope = { where: whereOption(ctx) };
  checkRebuildScope(scope, `--where ${String(ctx.options.where)}`);
  return scope;
}
