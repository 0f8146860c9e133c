import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { openStore } from '../../../src/stores/open-store.js';
import type { ExitCodeCase } from '../exit-code-case.js';

const configWith = (dir: string, store: string) =>
  writeFileSync(
    join(dir, 'steward.config.ts'),
    `import { defineConfig } from 'steward';\nexport default defineConfig({ stores: { main: ${store} }, collections: { cases: {} } });\n`,
  );

/** The connection another program keeps a write transaction open on, for the locked-file row. */
let holder: Database.Database | undefined;

export const cases: ExitCodeCase[] = [
  {
    name: 'a SQLite file another writer keeps locked past busyTimeoutMs',
    prepare: async (dir) => {
      configWith(dir, `{ kind: 'sqlite', file: 'app.sqlite', busyTimeoutMs: 200 }`);
      await (await openStore({ kind: 'sqlite', file: join(dir, 'app.sqlite') })).close();
      holder = new Database(join(dir, 'app.sqlite'));
      holder.exec('BEGIN IMMEDIATE');
    },
    args: ['example', 'generate', '--docs', '20'],
    code: 3,
    stderr: /^steward: store "main" \(SQLite file .*\) stayed locked by another writer for more than 200 ms/,
    timeoutMs: 20_000,
    after: () => {
      holder?.exec('ROLLBACK');
      holder?.close();
    },
  },
  {
    name: 'a store timeout that is not a whole number of milliseconds',
    prepare: (dir) => configWith(dir, `{ kind: 'sqlite', file: 'app.sqlite', busyTimeoutMs: '5s' as never }`),
    args: ['count', 'cases'],
    code: 2,
    stderr:
      /stores\.main\.busyTimeoutMs: must be a whole number of milliseconds from 1 to 3600000 \(got "5s"\)/,
    after: (dir) => {
      if (existsSync(join(dir, 'app.sqlite'))) throw new Error('the store was opened');
    },
  },
  {
    name: 'a misspelt store setting',
    prepare: (dir) =>
      configWith(
        dir,
        `{ kind: 'dynamodb', region: 'us-east-1', endpoint: 'http://127.0.0.1:9', requestTimeoutMS: 500 } as never`,
      ),
    args: ['count', 'cases'],
    code: 2,
    stderr: /stores\.main\.requestTimeoutMS: is not a setting of a dynamodb store/,
  },
  {
    name: 'a DynamoDB tablePrefix no table name may start with',
    prepare: (dir) =>
      configWith(
        dir,
        `{ kind: 'dynamodb', region: 'us-east-1', endpoint: 'http://127.0.0.1:9', tablePrefix: 'my prefix/' }`,
      ),
    args: ['count', 'cases'],
    code: 2,
    stderr: /stores\.main\.tablePrefix: "my prefix\/" cannot start a DynamoDB table name/,
  },
];
