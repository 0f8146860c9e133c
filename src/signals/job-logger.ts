import { type DestinationStream, type Logger, type LoggerOptions, pino } from 'pino';

export type { Logger } from 'pino';

/** What identifies a job in its log lines. */
export interface JobIdentity {
  /** The job's id: the server's job id, an apply run's id, a scan's id. */
  readonly id: string;
  /** What the job does: `migrate.apply`, `refs.scan`, `drift.check`... */
  readonly kind: string;
  /** The plan hash of a migration job. */
  readonly planHash?: string;
}

/**
 * Fields whose values never reach a log line: credentials travel in these, and the rules say tokens,
 * keys and connection strings never appear in logs.
 */
const redact = [
  'authorization',
  'token',
  'password',
  'secret',
  'connectionString',
  'url',
  '*.authorization',
  '*.token',
  '*.password',
  '*.secret',
  '*.connectionString',
  '*.headers',
];

/**
 * Steward's structured logger: pino (Fastify's logger), one JSON line per entry, secrets redacted.
 * The server passes Fastify's own instance to {@link jobLogger} instead; a library user may pass
 * theirs. Writes to stdout unless given a destination. The CLI does not use it: its output stays
 * what it was.
 */
export function createLogger(
  options: { readonly level?: LoggerOptions['level']; readonly destination?: DestinationStream } = {},
): Logger {
  const settings: LoggerOptions = { level: options.level ?? 'info', redact, base: { name: 'steward' } };
  return options.destination ? pino(settings, options.destination) : pino(settings);
}

/** A job's logger: a child of `logger` whose every line carries `jobId`, `jobKind` and `planHash`. */
export function jobLogger(logger: Logger, job: JobIdentity): Logger {
  return logger.child({
    jobId: job.id,
    jobKind: job.kind,
    ...(job.planHash === undefined ? {} : { planHash: job.planHash }),
  });
}

/**
 * A progress listener that logs every event of a job as one line: the event's type as the message
 * (`msg`), its fields under `event`. Pass it as `onProgress` (or call it from yours); it never
 * throws, so a broken log never stops a job.
 */
export function jobEventLog<E extends { readonly type: string }>(
  logger: Logger,
  job: JobIdentity,
): (event: E) => void {
  const log = jobLogger(logger, job);
  return (event) => {
    try {
      log.info({ event }, event.type);
    } catch {
      // a destination that failed must not fail the job
    }
  };
}
