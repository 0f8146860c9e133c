import type { CommandContext } from './command.js';

/**
 * Runs `work` with an AbortSignal that SIGINT (Ctrl-C) or SIGTERM (a pod stopped, a job
 * cancelled) aborts, for jobs that stop at their next batch boundary, checkpointed, instead of
 * dying mid-batch. The handlers are removed when `work` ends. A second signal is not caught, so
 * it ends the process as usual.
 */
export async function withInterrupt<T>(
  ctx: CommandContext,
  work: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const abort = new AbortController();
  const stop = (signal: NodeJS.Signals) => {
    ctx.output.note(`${signal}: stopping at the next batch boundary`);
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
