/**
 * Exit codes of `refs scan` on SQLite, where the check runs inside SQLite (see
 * `reference-check-sql.ts`): a source document that is not JSON is named, exit 3, no stack trace.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { openStore } from '../../../src/stores/open-store.js';
import type { ExitCodeCase } from '../exit-code-case.js';

/** Profiles pointing at accounts in one SQLite file, the profile `p1` replaced by text that is not JSON. */
async function corruptProfileProject(dir: string): Promise<void> {
  writeFileSync(
    join(dir, 'steward.config.ts'),
    `import { defineConfig } from 'steward';\nexport default defineConfig({ stores: { main: { kind: 'sqlite', file: 'app.sqlite' } }, collections: { accounts: {}, profiles: {} }, references: { 'profiles.accountId': { target: 'accounts' } } });\n`,
  );
  const store = await openStore({ kind: 'sqlite', file: join(dir, 'app.sqlite') });
  try {
    for (const name of ['accounts', 'profiles']) await store.ensureCollection({ name, keyField: 'id' });
    await store
      .collection({ name: 'accounts', keyField: 'id' })
      .write([{ type: 'insert', doc: { id: 'a1' } }]);
    await store
      .collection({ name: 'profiles', keyField: 'id' })
      .write(['p0', 'p1', 'p2'].map((id) => ({ type: 'insert' as const, doc: { id, accountId: 'a1' } })));
  } finally {
    await store.close();
  }
  // As another program with the sqlite3 driver would leave it.
  const db = new Database(join(dir, 'app.sqlite'));
  try {
    db.prepare(`UPDATE "profiles" SET doc = ? WHERE k = ?`).run('{not json', 's:p1');
  } finally {
    db.close();
  }
}

export const cases: ExitCodeCase[] = [
  {
    name: 'refs scan with a source document that is not JSON: names it, exit 3',
    prepare: corruptProfileProject,
    args: ['refs', 'scan'],
    code: 3,
    stderr: /the document with key "p1" in collection "profiles" of the SQLite store is not JSON/,
  },
];
