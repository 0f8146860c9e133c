import type { ResolvedConfig } from '../config/resolved-config.js';
import { isStewardError } from '../errors/steward-error.js';

/**
 * What the demo's later steps call steward's library with: the config the demo wrote, and who
 * acts. They call the same entry points the CLI commands do, so every step it shows is one the
 * user can repeat with the command it names.
 */
export interface DemoSession {
  readonly config: ResolvedConfig;
  /** The run options of every call: who acts. */
  readonly run: { readonly actor: string };
}

/**
 * Fails the demo when a step did not end as it must (`ok` false): a demo step that silently went
 * wrong would teach the wrong thing. That is a bug in steward (the demo builds its own data), so
 * it is a plain Error, reported with its stack.
 */
export function expectStep(ok: boolean, command: string, detail: unknown = ''): asserts ok {
  if (!ok)
    throw new Error(
      `the demo's "steward ${command}" did not succeed: ${typeof detail === 'string' ? detail : JSON.stringify(detail)}`,
    );
}

/** The exit code the CLI gives an error a step is expected to meet (a refusal, say). */
export async function exitCodeOf(work: Promise<unknown>): Promise<number> {
  try {
    await work;
    return 0;
  } catch (error) {
    if (!isStewardError(error)) throw error;
    return error.exitCode;
  }
}
