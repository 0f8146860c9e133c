import type { CommandContext } from './command.js';

/**
 * Runs `work` with an AbortSignal that SIGINT (Ctrl-C) or SIGTERM (a pod stopped, a job
 * cancelled) aborts, for jobs that stop at their next batch boundary, checkpointed, instead of
 * dying mid-batch. `note` is what the person at the terminal is told then. The handlers are
 * removed when `work` ends. A second signal is not caught, so it ends the process as usual.
 */
export async function withInterrupt<T>(
  ctx: CommandContext,
  work: (signal: AbortSignal) => Promise<T>,
  note = (signal: NodeJS.Signals) =>
    `${signal}: stopping at the next batch boundary; run the same command again to resume`,
): Promise<T> {
  const abort = new AbortController();
  const stop = (signal: NodeJS.Signals) => {
    ctx.output.note(note(signal));
    abort.abort();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    return await work(abort.signal);
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}
