import { existsSync, mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, isAbsolute, join, relative, sep } from 'node:path';
import { StewardError } from '../../errors/steward-error.js';
import { loadContracts } from '../load-contracts.js';
import type { Baseline } from './baseline.js';
import { git, gitText } from './git.js';

/**
 * The contracts as they were at a git ref: the files of the contracts folder at that commit are
 * copied into a temporary folder, loaded like any contracts folder, and the copy is removed. A ref
 * at which the folder does not exist yet gives an empty baseline, said in a note: every contract
 * is new. Throws `baseline.not-found` (exit 2) for a ref git does not know.
 */
export async function contractsAtRef(ref: string, contractsDir: string): Promise<Baseline> {
  const top = repositoryTop(ref, contractsDir);
  const commit = resolveCommit(ref, top);
  const folder = relative(top, realPath(contractsDir)).split(sep).join('/');
  if (folder.startsWith('..') || isAbsolute(folder)) {
    throw new StewardError(
      'usage',
      `the contracts folder ${contractsDir} is outside the git repository at ${top}, so it has no version at ${ref}`,
    );
  }
  const files = filesAt(commit, folder, top);
  const label = `${ref}:${folder || '.'}`;
  const base = { spec: ref, source: 'git' as const, label, commit };
  if (files.length === 0) {
    return { ...base, contracts: [], notes: [`${label} does not exist: every contract counts as new`] };
  }
  const copy = mkdtempSync(join(tmpdir(), 'steward-baseline-'));
  try {
    for (const file of files) {
      const target = join(copy, folder === '' ? file : file.slice(folder.length + 1));
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, blob(commit, file, top));
    }
    const loaded = await loadContracts(copy, { label: `baseline ${label}` });
    return { ...base, contracts: loaded.contracts, notes: [] };
  } finally {
    rmSync(copy, { recursive: true, force: true });
  }
}

function repositoryTop(ref: string, contractsDir: string): string {
  const run = git(['rev-parse', '--show-toplevel'], nearestExisting(contractsDir));
  if (!run.ok) {
    throw new StewardError(
      'usage',
      `baseline "${ref}" is not a folder, and ${contractsDir} is not in a git repository, so it cannot be a git ref either; give --baseline a folder of contracts or a git ref`,
    );
  }
  return run.stdout.toString('utf8').trim();
}

function resolveCommit(ref: string, top: string): string {
  // A ref starting with "-" would be read as an option; git refs never start with one.
  const run = ref.startsWith('-')
    ? undefined
    : git(['rev-parse', '--verify', '--quiet', `${ref}^{commit}`], top);
  if (!run?.ok) {
    throw new StewardError(
      'baseline.not-found',
      `baseline ref ${ref} does not exist in the git repository at ${top}; fetch it first (in CI, check out with fetch-depth: 0) or give --baseline a folder of contracts`,
      { ref, repository: top },
    );
  }
  return run.stdout.toString('utf8').trim();
}

/** The files under `folder` at `commit`, as paths from the repository top. */
function filesAt(commit: string, folder: string, top: string): string[] {
  const pathspec = folder === '' ? [] : ['--', folder];
  const out = gitText(
    ['--literal-pathspecs', 'ls-tree', '-r', '-z', '--name-only', commit, ...pathspec],
    top,
  );
  return out.split('\0').filter((f) => f !== '' && (folder === '' || f.startsWith(`${folder}/`)));
}

function blob(commit: string, file: string, top: string): Buffer {
  const run = git(['cat-file', 'blob', `${commit}:${file}`], top);
  if (!run.ok) throw new StewardError('usage', `could not read ${file} at ${commit}: ${run.stderr}`);
  return run.stdout;
}

/** The folder's real path, or its nearest existing parent's with the rest appended. */
function realPath(dir: string): string {
  if (existsSync(dir)) return realpathSync(dir);
  const parent = dirname(dir);
  return parent === dir ? dir : join(realPath(parent), basename(dir));
}

function nearestExisting(dir: string): string {
  return existsSync(dir) || dirname(dir) === dir ? dir : nearestExisting(dirname(dir));
}
