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
 * folder is an empty list: a project without migrations has nothing pending.
 */
export async function loadMigrations(dir: string): Promise<Migration[]> {
  const root = resolve(dir);
  if (!existsSync(root)) return [];
  const problems: MigrationProblem[] = [];
  const migrations: Migration[] = [];
  const files = readdirSync(root)
    .filter((name) => migrationFile.test(name))
    .sort();
  for (const name of files) {
    const file = join(root, name);
    const checksum = sha256(readFileSync(file, 'utf8'));
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
