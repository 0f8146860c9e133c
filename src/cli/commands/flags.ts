import { ExitCode, StewardError } from '../../errors/steward-error.js';
import type { FlagChange, ShapeFlag } from '../../flags/flag-rules.js';
import { flagsGet, flagsList, flagsSet } from '../../workspace/flags.js';
import type { Command, CommandContext } from '../command.js';
import { configFor } from '../config-for.js';
import { runOptionsFor } from '../run-options-for.js';

/** `steward flags list`: every shape flag with its value, since when and set by whom. */
export const flagsListCommand: Command = {
  path: ['flags', 'list'],
  summary: 'list shape flags: value, since when, set by whom',
  description: 'Reads the ledger only; nothing is created or written.',
  async run(ctx) {
    const config = await configFor(ctx);
    const flags = await flagsList(config);
    ctx.output.result({ flags });
    if (flags.length === 0) ctx.output.line('no shape flags set yet; set one with "steward flags set"');
    for (const f of flags)
      ctx.output.line(`${f.name.padEnd(32)} ${f.value.padEnd(12)} since ${f.since} by ${f.by}`);
    return ExitCode.ok;
  },
};

/** `steward flags get <name>`: one flag's value, and with --history every change of it. */
export const flagsGetCommand: Command = {
  path: ['flags', 'get'],
  summary: "show a shape flag's value, and with --history every change of it",
  usage: '<name> [--history]',
  options: { history: { type: 'boolean' } },
  optionHelp: { history: 'also list every change, oldest first, with its reason and state' },
  async run(ctx) {
    const name = flagNameArg(ctx, 'steward flags get cases.read-shape');
    const config = await configFor(ctx);
    const result = await flagsGet(config, { name, history: ctx.options.history === true });
    const { flag, history } = result;
    ctx.output.result(result);
    ctx.output.line(flag ? describeFlag(flag) : `${name}: no change has taken effect yet`);
    for (const change of history ?? []) ctx.output.line(describeChange(change));
    return ExitCode.ok;
  },
};

/** `steward flags set <name> <value> --reason "..."`: changes a flag, audited. */
export const flagsSetCommand: Command = {
  path: ['flags', 'set'],
  summary: 'change a shape flag (audited); --allowed fixes its values when it is first set',
  usage: '<name> <value> --reason "..." [--allowed v1,dual,v2]',
  description:
    'Writes a new generation of the flag and an audit record "flag.set" (from, to, reason, who).\n' +
    'A value outside the allowed set exits 2 and writes nothing. When someone else changes the\n' +
    'flag at the same moment, one of you wins and the other is told to read it again and retry.',
  options: { reason: { type: 'string' }, allowed: { type: 'string' } },
  optionHelp: {
    reason: 'why, for the audit log (required)',
    allowed: 'comma-separated values the flag may take; only when it is first set',
  },
  async run(ctx) {
    const args = flagSetArgs(ctx);
    const config = await configFor(ctx);
    const result = await flagsSet(config, args, runOptionsFor(ctx));
    ctx.output.result(result);
    ctx.output.line(
      result.changed
        ? `${args.name}: ${result.previous ?? '(unset)'} -> ${result.flag.value} (generation ${result.flag.generation}, audit seq ${result.flag.auditSeq})`
        : `${args.name} is already ${result.flag.value}; nothing written`,
    );
    return ExitCode.ok;
  },
};

/** The arguments of `flags set`, checked before any store is opened. */
export function flagSetArgs(ctx: Pick<CommandContext, 'positionals' | 'options'>) {
  const name = flagNameArg(ctx, 'steward flags set cases.read-shape v2 --reason "..."');
  const value = ctx.positionals[1];
  if (value === undefined || ctx.positionals.length > 2) {
    throw new StewardError(
      'usage',
      'give a flag name and one value: steward flags set <name> <value> --reason "..."',
    );
  }
  const reason = ctx.options.reason;
  if (typeof reason !== 'string' || reason.trim() === '')
    throw new StewardError('usage', '--reason is required: say why the flag changes, for the audit log');
  const allowed = ctx.options.allowed;
  return {
    name,
    value,
    reason,
    ...(typeof allowed === 'string' ? { allowed: allowed.split(',').map((v) => v.trim()) } : {}),
  };
}

function flagNameArg(ctx: Pick<CommandContext, 'positionals'>, example: string): string {
  const name = ctx.positionals[0];
  if (!name) throw new StewardError('usage', `name a flag, such as "${example}"`);
  return name;
}

function describeFlag(f: ShapeFlag): string {
  const allowed = f.allowed ? ` (allowed: ${f.allowed.join(', ')})` : '';
  return `${f.name} = ${f.value}${allowed}\n  since ${f.since} by ${f.by}: ${f.reason}`;
}

function describeChange(c: FlagChange): string {
  return `  #${c.generation} ${c.at} ${c.previous ?? '(unset)'} -> ${c.value} by ${c.actor} [${c.state}]: ${c.reason}`;
}
