import { parseDuration } from '../../core/duration.js';
import { formatCount } from '../../core/format-count.js';
import { driftIncidentLine } from '../../derived/drift-incidents.js';
import { type DriftIncidentKind, driftIncidentKinds } from '../../derived/reverify-drift.js';
import { ExitCode, StewardError } from '../../errors/steward-error.js';
import { driftIncidents } from '../../workspace/derived/drift-incidents.js';
import type { Command, CommandContext } from '../command.js';
import { configFor } from '../config-for.js';
import { intOption } from '../int-option.js';
import { runOptionsFor } from '../run-options-for.js';

/** `steward drift incidents`: lists the drift incidents drift checks recorded, a page at a time. */
export const driftIncidentsCommand: Command = {
  path: ['drift', 'incidents'],
  summary: 'list drift incidents (drifted values, missing snapshots), filtered and paged',
  usage:
    '[derived...] [--status open|closed|all] [--kind drift|snapshot-missing] [--older-than 7d] [--newer-than 1h] [--limit N] [--cursor C]',
  description:
    'One line per incident of the named derived state (all declared ones when none is named): its\n' +
    'status, kind, derived state, document key (and array element), stored and expected values, since\n' +
    'when, and its id. Open incidents by default. A page holds --limit incidents; when more match, the\n' +
    'last line says so and gives the --cursor of the next page (with --json: "next"). Reads only.',
  options: {
    status: { type: 'string', default: 'open' },
    kind: { type: 'string' },
    'older-than': { type: 'string' },
    'newer-than': { type: 'string' },
    limit: { type: 'string', default: '100' },
    cursor: { type: 'string' },
  },
  optionHelp: {
    status: 'open (default), closed or all',
    kind: 'only drift (a drifted value) or snapshot-missing (a snapshot absent where its source gives a value)',
    'older-than': 'only incidents first seen longer ago than this, such as 7d or 12h',
    'newer-than': 'only incidents first seen within this, such as 1h',
    limit: 'incidents per page (default 100)',
    cursor: 'where to go on: the cursor the previous page printed',
  },
  async run(ctx) {
    const config = await configFor(ctx);
    const input = {
      derived: ctx.positionals,
      status: statusOption(ctx),
      ...kindOption(ctx),
      ...ageOption(ctx, 'older-than', 'olderThanMs'),
      ...ageOption(ctx, 'newer-than', 'newerThanMs'),
      limit: intOption(ctx, 'limit', 100, 1),
      ...(typeof ctx.options.cursor === 'string' ? { cursor: ctx.options.cursor } : {}),
    };
    const page = await driftIncidents(config, input, runOptionsFor(ctx));
    for (const incident of page.incidents) ctx.output.line(driftIncidentLine(incident));
    if (page.incidents.length === 0) ctx.output.line('no incidents');
    const more = page.next === null ? undefined : nextCommand(ctx, page.next);
    if (more) ctx.output.line(`${formatCount(page.incidents.length)} shown; more match: ${more}`);
    ctx.output.result({
      incidents: page.incidents,
      count: page.incidents.length,
      truncated: page.next !== null,
      next: page.next,
      ...(more ? { more } : {}),
    });
    return ExitCode.ok;
  },
};

function statusOption(ctx: CommandContext): 'open' | 'closed' | 'all' {
  const status = String(ctx.options.status);
  if (status !== 'open' && status !== 'closed' && status !== 'all')
    throw new StewardError('usage', `--status must be open, closed or all (got "${status}")`);
  return status;
}

function kindOption(ctx: CommandContext): { kind?: DriftIncidentKind } {
  const kind = ctx.options.kind;
  if (kind === undefined) return {};
  if (!(driftIncidentKinds as readonly unknown[]).includes(kind))
    throw new StewardError(
      'usage',
      `--kind must be ${driftIncidentKinds.join(' or ')} (got "${String(kind)}")`,
    );
  return { kind: kind as DriftIncidentKind };
}

function ageOption<K extends string>(ctx: CommandContext, option: string, key: K): { [P in K]?: number } {
  const raw = ctx.options[option];
  if (raw === undefined) return {};
  const ms = parseDuration(String(raw));
  if (ms === undefined)
    throw new StewardError(
      'usage',
      `--${option} must be a duration such as 90s, 12h or 7d (got "${String(raw)}")`,
    );
  return { [key]: ms } as { [P in K]?: number };
}

/** The same command with the next page's cursor, for the user to run. */
function nextCommand(ctx: CommandContext, cursor: string): string {
  const args = [...ctx.positionals];
  const defaults: Record<string, string> = { status: 'open', limit: '100' };
  for (const option of ['status', 'kind', 'older-than', 'newer-than', 'limit']) {
    const value = ctx.options[option];
    if (typeof value === 'string' && value !== defaults[option]) args.push(`--${option}`, value);
  }
  if (ctx.options.json === true) args.push('--json');
  return `steward drift incidents ${[...args, '--cursor', cursor].join(' ')}`;
}
