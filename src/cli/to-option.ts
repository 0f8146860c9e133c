import type { CommandContext, OptionSpec } from './command.js';

/** `--to <id>`, shared by the migrate commands that plan: the plan ends with that migration. */
export const toOptionSpec: OptionSpec = { to: { type: 'string' } };

export const toOptionHelp = {
  to: 'the plan ends with this migration (plan, dry-run, approve and apply must all say it)',
};

/** `{ to }` when `--to` was given, for the input of a migrations entry point. */
export function toOption(ctx: CommandContext): { to?: string } {
  return typeof ctx.options.to === 'string' ? { to: ctx.options.to } : {};
}
