/**
 * The one error class steward throws for anything a user can act on.
 *
 * Every error carries a stable `code` (what went wrong, for scripts and tests), an exit code
 * category (usage, store, findings) and a message written for a person: it names the file, the
 * config path, the collection or the document, and says what to do next. Anything that is not a
 * StewardError is a bug and is reported with its stack.
 */
export class StewardError extends Error {
  override readonly name = 'StewardError';

  constructor(
    readonly code: StewardErrorCode,
    message: string,
    readonly details: Readonly<Record<string, unknown>> = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  /** The process exit code the CLI uses for this error (see {@link ExitCode}). */
  get exitCode(): ExitCode {
    return exitCodeFor(this.code);
  }
}

/** Exit codes every command uses. */
export const ExitCode = {
  ok: 0,
  /** Findings were reported or a gate failed. */
  findings: 1,
  /** The command line, the config or an input file is wrong; nothing was written. */
  usage: 2,
  /** A store could not be reached, refused the credentials, or did not answer in time. */
  unreachable: 3,
  /** Stopped by SIGINT or SIGTERM at a batch boundary, checkpointed: the same command resumes. */
  interrupted: 130,
  /** steward itself failed: a bug. */
  internal: 70,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** Stable error codes. Usage-class codes exit 2, store-class codes exit 3. */
export type StewardErrorCode =
  | 'usage'
  | 'config.invalid'
  | 'config.not-found'
  | 'filter.invalid'
  | 'collection.unknown'
  | 'collection.not-found'
  | 'input.invalid'
  | 'contract.invalid'
  | 'migration.invalid'
  | 'baseline.not-found'
  | 'store.unreachable'
  | 'store.timeout'
  | 'store.auth'
  | 'store.unsupported'
  | 'store.write-incomplete'
  | 'store.failed'
  | 'store.corrupt'
  | 'lease.held'
  | 'lease.lost'
  | 'ledger.conflict'
  | 'aborted'
  | 'job.unknown'
  | 'job.conflict'
  | 'findings';

const usageCodes = new Set<StewardErrorCode>([
  'usage',
  'config.invalid',
  'config.not-found',
  'filter.invalid',
  'collection.unknown',
  'collection.not-found',
  'input.invalid',
  'contract.invalid',
  'migration.invalid',
  'baseline.not-found',
  'store.unsupported',
  'job.unknown',
]);
/**
 * Store-class codes: the store cannot be reached, refuses the credentials, did not answer within
 * its timeout, or holds what it cannot give back.
 */
const unreachableCodes = new Set<StewardErrorCode>([
  'store.unreachable',
  'store.timeout',
  'store.auth',
  'store.corrupt',
]);

/** Maps an error code to the exit code category the CLI reports. */
export function exitCodeFor(code: StewardErrorCode): ExitCode {
  if (usageCodes.has(code)) return ExitCode.usage;
  if (unreachableCodes.has(code)) return ExitCode.unreachable;
  // Contention (another process holds the lease, took it over, or changed the record first) is
  // not a bug: the job stopped cleanly at a checkpoint; retry or resume when the other is done.
  // Nor is a job stopped on request (`aborted`): what it did is kept, and a rerun goes on.
  if (
    code === 'findings' ||
    code === 'lease.held' ||
    code === 'lease.lost' ||
    code === 'ledger.conflict' ||
    code === 'aborted' ||
    code === 'job.conflict'
  )
    return ExitCode.findings;
  return ExitCode.internal;
}

/** True for a StewardError with the given code. */
export function isStewardError(error: unknown, code?: StewardErrorCode): error is StewardError {
  return error instanceof StewardError && (code === undefined || error.code === code);
}
