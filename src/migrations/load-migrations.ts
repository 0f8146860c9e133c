import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { importDefault, loadErrorMessage } from '../config/import-module.js';
import { sha256 } from '../core/hash.js';
import { StewardError } from '../errors/steward-error.js';
import type { Migration } from './migration.js';
import { type MigrationProblem, parseMigration } from './parse-migration.js';

const migrationFile = /\.migration\.(ts|mts|js|mjs)$/;

/**
 * Reads every `*.migration.ts` (`.mts`, `.js`, `.mjs`) in `dir`, sorted by id, each with the
 * SHA-256 of its file. Every problem in every file (a syntax error, a missing `up`, a duplicate
 * id...) is reported at once as one `migration.invalid` error naming the files, exit 2. A missing
 * folder is an empty list: a project without migrations has nothing pending. A folder whose files
 * have not changed (names and bytes) gives its last load again, modules not imported again.
 */
export async function loadMigrations(dir: string): Promise<Migration[]> {
  const root = resolve(dir);
  if (!existsSync(root)) return [];
  const files = readdirSync(root)
    .filter((name) => migrationFile.test(name))
    .sort()
    .map((name) => {
      const file = join(root, name);
      return { name, file, checksum: sha256(readFileSync(file, 'utf8')) };
    });
  const fingerprint = files.map((f) => `${f.name}\0${f.checksum}`).join('\n');
  const cached = loaded.get(root);
  if (cached && cached.fingerprint === fingerprint) return [...cached.migrations];
  const migrations = await loadFiles(root, files);
  loaded.delete(root);
  loaded.set(root, { fingerprint, migrations });
  if (loaded.size > maxCachedFolders) loaded.delete(loaded.keys().next().value!);
  return [...migrations];
}

/**
 * The last load of each folder, with the names and checksums of its files. Loading a TypeScript
 * migration transpiles it (jiti, caches off), and `steward serve` loads the migrations on every
 * migration-status request: a folder whose files have the same names and bytes gives its last
 * load again. A migration is identified by its file's checksum (the plan hash is over them), so a
 * change to a helper it imports is no new migration to the plan either.
 */
const loaded = new Map<string, { readonly fingerprint: string; readonly migrations: readonly Migration[] }>();
const maxCachedFolders = 16;

async function loadFiles(
  root: string,
  files: readonly { name: string; file: string; checksum: string }[],
): Promise<Migration[]> {
  const problems: MigrationProblem[] = [];
  const migrations: Migration[] = [];
  for (const { name, file, checksum } of files) {
    let raw: unknown;
    try {
      raw = await importDefault(file, (value) => (value as { id?: unknown })?.id !== undefined);
    } catch (error) {
      problems.push({
        file: name,
        path: '(file)',
        message: `could not be loaded: ${loadErrorMessage(error, file)}`,
      });
      continue;
    }
    const migration = parseMigration(raw, name, problems);
    if (migration) migrations.push({ ...migration, file, checksum });
  }
  const seen = new Map<string, string>();
  for (const m of migrations) {
    const other = seen.get(m.id);
    if (other)
      problems.push({ file: basename(m.file), path: 'id', message: `"${m.id}" is also the id of ${other}` });
    seen.set(m.id, basename(m.file));
  }
  if (problems.length > 0) {
    const lines = problems.map((p) => `  ${p.file}: ${p.path}: ${p.message}`);
    throw new StewardError(
      'migration.invalid',
      `the migrations in ${root} have ${problems.length} problem(s):\n${lines.join('\n')}`,
      { dir: root, problems },
    );
  }
  return migrations.sort((a, b) => a.id.localeCompare(b.id));
}
