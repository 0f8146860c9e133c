import { StewardError } from '../errors/steward-error.js';
import type { CommandContext } from './command.js';

/** Reads an integer option, with a usage error naming the option when it is not one. */
export function intOption(ctx: CommandContext, name: string, fallback: number, min = 0): number {
  const raw = ctx.options[name];
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (typeof raw !== 'string' || !Number.isInteger(value) || value < min) {
    throw new StewardError('usage', `--${name} must be an integer of at least ${min} (got "${String(raw)}")`);
  }
  return value;
}
