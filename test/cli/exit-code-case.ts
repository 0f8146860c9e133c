/**
 * One row of the exit-code table (test/cli/exit-codes.test.ts): a user mistake or a store fault
 * that must end with a stated exit code and one clear line, never a stack trace. Rows live in
 * test/cli/exit-code-cases/<area>.ts, each exporting `cases`, so each capability adds its own.
 */
export interface ExitCodeCase {
  /** What the user did, as the test's name. */
  readonly name: string;
  /** Makes the project in `dir` (a fresh temporary folder) before the command runs. */
  readonly prepare?: (dir: string) => void | Promise<void>;
  /** The command line, or a function of the project folder. */
  readonly args: readonly string[] | ((dir: string) => readonly string[]);
  readonly env?: NodeJS.ProcessEnv;
  /** The exit code steward must end with. */
  readonly code: number;
  /** What stderr must say. */
  readonly stderr: RegExp;
  /** Sends SIGTERM this long after the start (for long sleeps that must stay interruptible). */
  readonly sigtermAfterMs?: number;
  /** The whole run must end within this time (default 60 s). */
  readonly timeoutMs?: number;
  /** Checks after the run (for instance that nothing was written). */
  readonly after?: (dir: string) => void | Promise<void>;
}
