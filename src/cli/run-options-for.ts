import { actorFromEnv, type RunOptions } from '../workspace/run-options.js';
import type { CommandContext } from './command.js';

/** The library's run options for a command: the actor from its environment (STEWARD_ACTOR, else user@host). */
export function runOptionsFor<E = never>(
  ctx: CommandContext,
  more: Omit<RunOptions<E>, 'actor'> = {},
): RunOptions<E> {
  return { actor: actorFromEnv(ctx.env), ...more };
}
