import { StewardError } from '../../errors/steward-error.js';
import { storeLabel } from '../store-timeouts.js';

/** Which database a SQLite call was on, for messages. */
export interface SqliteTarget {
  readonly file: string;
  /** steward's name for the store, when it has one. */
  readonly store?: string;
  readonly busyTimeoutMs: number;
}

/**
 * SQLite's answers for "another connection holds the lock": plain busy, and the extended codes.
 * SQLITE_LOCKED is a conflict inside one connection's shared cache, which steward never uses,
 * but it means the same to a user.
 */
const lockedCodes = /^SQLITE_(BUSY|LOCKED)(_|$)/;

/**
 * Turns "database is locked" (another process kept the write lock past the busy timeout) into a
 * `store.timeout` naming the store and the setting to raise, so the CLI prints one line and
 * exits 3 instead of a stack. Anything else is returned as it is.
 */
export function mapSqliteError(error: unknown, target: SqliteTarget): unknown {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== 'string' || !lockedCodes.test(code)) return error;
  const where = storeLabel(target.store, `SQLite file ${target.file}`);
  const setting = target.store === undefined ? 'busyTimeoutMs' : `stores.${target.store}.busyTimeoutMs`;
  return new StewardError(
    'store.timeout',
    `${where} stayed locked by another writer for more than ${target.busyTimeoutMs} ms (${code}); ` +
      `retry when the other steward run or program has finished, or raise ${setting}`,
    { file: target.file, store: target.store, code },
  );
}

/** Runs a synchronous SQLite call, mapping a lock timeout with {@link mapSqliteError}. */
export function guardedSqlite<T>(target: SqliteTarget, run: () => T): T {
  try {
    return run();
  } catch (error) {
    throw mapSqliteError(error, target);
  }
}
