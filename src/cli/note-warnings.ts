import type { SignalWarning } from '../signals/signals.js';
import type { CommandContext } from './command.js';

/** Sink failures go to stderr: they never change the exit code. */
export function noteWarnings(ctx: CommandContext, warnings: readonly SignalWarning[]): void {
  for (const w of warnings)
    ctx.output.note(`warning: ${w.sink} did not take ${w.events} event(s): ${w.message}`);
}
