import { accessSync, constants, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { StewardError } from '../errors/steward-error.js';

/**
 * Where every file steward writes at the user's word (`--out`, `--manifest`) goes through, from
 * the CLI or the library (key pairs, dry-run reports), so a path that cannot be written is one
 * clear `input.invalid` line (exit 2) naming the file and the system's reason, never a stack
 * trace. Missing parent folders are created, as before. `option` names what chose the path.
 */

/** Writes `text` to `file`, creating its folder; `wx` refuses to replace an existing file. */
export function writeOutFile(
  file: string,
  text: string,
  options: { mode?: number; flag?: 'w' | 'wx'; option?: string } = {},
): void {
  const option = options.option ?? '--out';
  makeFolder(dirname(file), file, option);
  try {
    writeFileSync(file, text, { mode: options.mode, flag: options.flag ?? 'w' });
  } catch (error) {
    throw unwritable(file, error, option);
  }
}

/** Creates a folder and its parents; a file in the way is named as such (mkdir says EEXIST). */
function makeFolder(dir: string, shown: string, option: string): void {
  try {
    mkdirSync(dir, { recursive: true });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw unwritable(shown, code === 'EEXIST' ? { code: 'ENOTDIR' } : error, option);
  }
}

/**
 * Makes sure `dir` is a folder steward can write files into, creating it if needed. Call it before
 * the work whose results go there, so a bad `--out` is refused before anything is done.
 */
export function ensureOutDir(dir: string, option = '--out'): void {
  makeFolder(dir, dir, option);
  try {
    if (!statSync(dir).isDirectory()) throw { code: 'ENOTDIR' };
    accessSync(dir, constants.W_OK);
  } catch (error) {
    throw unwritable(dir, error, option);
  }
}

/** The user-facing error for a path that cannot be written. */
export function unwritable(path: string, error: unknown, option = '--out'): StewardError {
  const code = (error as NodeJS.ErrnoException).code;
  const details = { file: path, option, ...(code ? { reason: code } : {}) };
  if (code === 'EEXIST')
    return new StewardError(
      'usage',
      `${path} exists already; choose another ${option} or move it away`,
      details,
    );
  const reason = code ? (reasons[code] ?? code) : String((error as Error)?.message ?? error);
  const shown = code && reasons[code] ? `${reason} (${code})` : reason;
  return new StewardError('input.invalid', `cannot write ${path} (${option}): ${shown}`, details);
}

/** The system's reasons, in words. */
const reasons: Readonly<Record<string, string>> = {
  ENOENT: 'a folder on the way does not exist',
  ENOTDIR: 'a part of the path is a file, not a folder',
  EISDIR: 'it is a folder',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'the file system is read-only',
  ENOSPC: 'no space left on the device',
  ENAMETOOLONG: 'the name is too long',
};
