import type { CommandContext } from './command.js';

/**
 * Runs `work` with a signal that Ctrl-C (or SIGTERM) aborts, after a note that the job stops after
 * its batch in flight; the process's handlers are removed afterwards.
 */
export async function withInterrupt<T>(
  ctx: CommandContext,
  work: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const abort = new AbortController();
  const stop = () => {
    ctx.output.note('stopping after the batch in flight; rerun to resume');
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
