/**
 * Exit-code rows of the demo, the example generator and rebuild's scope: each refusal ends with
 * exit 2, one line saying what is in the way or what to say instead, and nothing written.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { exampleCollectionNames } from '../../../src/example/case-management-model.js';
import { exampleDerived } from '../../../src/example/example-derived.js';
import { exampleSpec } from '../../../src/example/generate-example.js';
import { openStore } from '../../../src/stores/open-store.js';
import type { ExitCodeCase } from '../exit-code-case.js';

/** The project of issue 12: a user's migrations, keys and config, where `demo --file` must not write. */
const userProject = (dir: string) => {
  mkdirSync(join(dir, 'migrations'));
  mkdirSync(join(dir, 'keys'));
  writeFileSync(join(dir, 'migrations', 'mine.migration.ts'), 'export default {};\n');
  writeFileSync(join(dir, 'keys', 'carol.key.pem'), 'carol\n');
  writeFileSync(join(dir, 'steward.config.json'), '{"stores":{}}\n');
};

const projectIntact = (dir: string) => {
  assert.deepEqual(readdirSync(dir).sort(), ['keys', 'migrations', 'steward.config.json']);
  assert.equal(readFileSync(join(dir, 'migrations', 'mine.migration.ts'), 'utf8'), 'export default {};\n');
  assert.equal(readFileSync(join(dir, 'keys', 'carol.key.pem'), 'utf8'), 'carol\n');
  assert.equal(readFileSync(join(dir, 'steward.config.json'), 'utf8'), '{"stores":{}}\n');
};

/** A SQLite project with the example's collections and derived state declared. */
const exampleProject = (dir: string) =>
  writeFileSync(
    join(dir, 'steward.config.json'),
    JSON.stringify({
      stores: { main: { kind: 'sqlite', file: 'app.sqlite' } },
      collections: Object.fromEntries(exampleCollectionNames.map((n) => [n, { key: 'id' }])),
      derived: exampleDerived(),
    }),
  );

const realAccount = { id: 'account-0000001', owner: 'a real customer' };

const nothingWritten = (dir: string) => assert.ok(!existsSync(join(dir, 'app.sqlite')), 'no store file');

export const cases: ExitCodeCase[] = [
  {
    name: 'demo --file into a project folder',
    prepare: userProject,
    args: ['demo', '--file', 'demo.db', '--docs', '200'],
    code: 2,
    stderr: /demo builds in a folder of its own, and .* holds keys, migrations, steward\.config\.json/,
    after: projectIntact,
  },
  {
    name: 'demo --file naming an unrelated SQLite database',
    prepare: async (dir) => {
      mkdirSync(join(dir, 'data'));
      const store = await openStore({ kind: 'sqlite', file: join(dir, 'data', 'app.sqlite') });
      await store.ensureCollection({ name: 'orders', keyField: 'id' });
      await store
        .collection({ name: 'orders', keyField: 'id' })
        .write([{ type: 'insert', doc: { id: 'o-1' } }]);
      await store.close();
    },
    args: ['demo', '--file', 'data/app.sqlite', '--docs', '200'],
    code: 2,
    stderr: /holds app\.sqlite\. Nothing was written/,
    after: async (dir) => {
      assert.deepEqual(readdirSync(join(dir, 'data')), ['app.sqlite']);
      const store = await openStore({ kind: 'sqlite', file: join(dir, 'data', 'app.sqlite') });
      try {
        assert.deepEqual(await store.listCollections(), ['orders']);
      } finally {
        await store.close();
      }
    },
  },
  {
    name: 'example generate into a store whose accounts already hold documents',
    prepare: async (dir) => {
      exampleProject(dir);
      const store = await openStore({ kind: 'sqlite', file: join(dir, 'app.sqlite') });
      await store.ensureCollection(exampleSpec('accounts'));
      await store.collection(exampleSpec('accounts')).write([{ type: 'insert', doc: realAccount }]);
      await store.close();
    },
    args: ['example', 'generate', '--docs', '200'],
    code: 2,
    stderr: /already holds documents in accounts; .*Nothing was written.*--prefix.*--force/,
    after: async (dir) => {
      const store = await openStore({ kind: 'sqlite', file: join(dir, 'app.sqlite') });
      try {
        assert.deepEqual(await store.listCollections(), ['accounts'], 'no other collection created');
        const docs = (await store.collection(exampleSpec('accounts')).scan()).docs;
        assert.deepEqual(docs, [realAccount]);
      } finally {
        await store.close();
      }
    },
  },
  ...['{}', 'null', '{"$and":[]}'].map(
    (where): ExitCodeCase => ({
      name: `rebuild --where ${where} (an empty filter)`,
      prepare: exampleProject,
      args: ['rebuild', 'case_list.openTaskCount', '--where', where],
      code: 2,
      stderr: /--where .* has no condition, so it matches every document; to rebuild everything say --all/,
      after: nothingWritten,
    }),
  ),
];
