import { isDate, utcDay } from '../contracts/check/dates.js';
import { StewardError } from '../errors/steward-error.js';
import type { CommandContext } from './command.js';

/** `--as-of YYYY-MM-DD`, default today (UTC): the day deprecations and waivers are judged on. */
export function asOfOption(ctx: CommandContext): string {
  const raw = ctx.options['as-of'];
  if (raw === undefined) return utcDay(new Date());
  if (typeof raw !== 'string' || !isDate(raw)) {
    throw new StewardError('usage', `--as-of must be a date written YYYY-MM-DD (got "${String(raw)}")`);
  }
  return raw;
}
