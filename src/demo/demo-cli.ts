/**
 * Runs one steward command with `--json` in the demo's project folder and returns its exit code
 * and parsed result. The demo walks through the same commands a user would type, so every step
 * it shows is one the user can repeat; the CLI hands this in (the demo does not import the CLI).
 */
export type DemoCli = (args: readonly string[]) => Promise<DemoCliRun>;

export interface DemoCliRun {
  readonly code: number;
  /** The command's `--json` result; undefined when it printed none. */
  readonly result: unknown;
  /** What it wrote to stderr (errors and notes). */
  readonly stderr: string;
}

/**
 * Runs a command and returns its result as `T`, failing the demo when the exit code is not one
 * of `codes`: a demo step that silently went wrong would teach the wrong thing. That is a bug in
 * steward (the demo builds its own data), so it is a plain Error, reported with its stack.
 */
export async function expectRun<T>(
  cli: DemoCli,
  args: readonly string[],
  codes: readonly number[] = [0],
): Promise<T> {
  const run = await cli(args);
  if (!codes.includes(run.code)) {
    throw new Error(
      `the demo's "steward ${args.join(' ')}" exited ${run.code}, expected ${codes.join(' or ')}: ${run.stderr.trim()}`,
    );
  }
  return run.result as T;
}
