import { spawnSync } from 'node:child_process';
import { StewardError } from '../../errors/steward-error.js';

/** What a git command said. */
export interface GitResult {
  readonly ok: boolean;
  readonly stdout: Buffer;
  readonly stderr: string;
}

/**
 * Runs git with arguments (never through a shell, so refs and paths are not interpreted) in
 * `cwd`. A failing command is a result, for the caller to word; git missing is a usage error.
 */
export function git(args: readonly string[], cwd: string): GitResult {
  const run = spawnSync('git', args, { cwd, maxBuffer: 256 * 1024 * 1024 });
  if (run.error) {
    const missing = (run.error as NodeJS.ErrnoException).code === 'ENOENT';
    throw new StewardError(
      'usage',
      missing
        ? 'git is not installed, so --baseline can only be a folder of contracts'
        : `git could not be run in ${cwd}: ${run.error.message}`,
    );
  }
  return { ok: run.status === 0, stdout: run.stdout, stderr: run.stderr.toString('utf8').trim() };
}

/** The stdout of a git command that is expected to work, as text without the final newline. */
export function gitText(args: readonly string[], cwd: string): string {
  const run = git(args, cwd);
  if (!run.ok) throw new StewardError('usage', `git ${args.join(' ')} failed in ${cwd}: ${run.stderr}`);
  return run.stdout.toString('utf8').replace(/\n$/, '');
}
