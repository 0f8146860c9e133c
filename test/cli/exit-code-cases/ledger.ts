/**
 * Exit codes of the ledger's area: filters past their limits, `--out` paths that cannot be
 * written, a bad `--expect-head`, and ledger documents that are not JSON (a SQLite row changed
 * with the sqlite3 driver directly). Each ends with one clear line and writes nothing.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { maxFilterConditions, maxFilterDepth } from '../../../src/core/filter.js';
import { writeExampleContracts } from '../../../src/example/example-contracts.js';
import { openLedger } from '../../../src/ledger/ledger.js';
import { openStore } from '../../../src/stores/open-store.js';
import type { ExitCodeCase } from '../exit-code-case.js';

const sqliteConfig = (dir: string) =>
  writeFileSync(
    join(dir, 'steward.config.ts'),
    `import { defineConfig } from 'steward';\nexport default defineConfig({ stores: { main: { kind: 'sqlite', file: 'app.sqlite' } }, collections: { cases: {} } });\n`,
  );

/** A project whose ledger holds a few audit records, a checkpoint and a flags collection. */
async function ledgerProject(dir: string): Promise<void> {
  sqliteConfig(dir);
  const store = await openStore({ kind: 'sqlite', file: join(dir, 'app.sqlite') });
  try {
    await store.ensureCollection({ name: 'cases', keyField: 'id' });
    const ledger = await openLedger(store, { actor: 'seed' });
    await ledger.audit.appendMany(
      Array.from({ length: 5 }, (_, i) => ({ action: 'seed', subject: `s${i}` })),
    );
    const lease = await ledger.acquireLease({ name: 'refs.scan', holder: 'seed', ttlMs: 1 });
    await ledger.checkpoints.save('refs.scan', { page: 1 }, lease);
    await store.ensureCollection(ledger.namespace.flags);
  } finally {
    await store.close();
  }
}

/** Replaces the text of one ledger row with something that is not JSON, as the sqlite3 driver would. */
function corruptRow(dir: string, table: string, key: string): void {
  const db = new Database(join(dir, 'app.sqlite'));
  try {
    const k = `s:${key}`;
    const changed = db
      .prepare(`INSERT OR REPLACE INTO "${table}" (k, doc) VALUES (?, ?)`)
      .run(k, '{not json');
    assert.equal(changed.changes, 1);
  } finally {
    db.close();
  }
}

/** The row is still as the test left it: the command wrote nothing over it. */
function rowUnchanged(dir: string, table: string, key: string): void {
  const db = new Database(join(dir, 'app.sqlite'), { readonly: true });
  try {
    const row = db.prepare(`SELECT doc FROM "${table}" WHERE k = ?`).get(`s:${key}`) as { doc: string };
    assert.equal(row.doc, '{not json');
  } finally {
    db.close();
  }
}

const deepFilter = (levels: number) => `${'{"$and":['.repeat(levels)}{"a":1}${']}'.repeat(levels)}`;
const manyConditions = (n: number) =>
  JSON.stringify(Object.fromEntries(Array.from({ length: n }, (_, i) => [`f${i}`, i])));

/** A project with contracts and a plain file `blocker` where a folder would have to be. */
function contractsProject(dir: string): void {
  writeExampleContracts(join(dir, 'contracts'));
  writeFileSync(join(dir, 'blocker'), 'a file, not a folder\n');
  mkdirSync(join(dir, 'taken.svg'));
}

/** Nothing new in the project folder besides what `prepare` made. */
const onlyPrepared = (dir: string) =>
  assert.deepEqual(readdirSync(dir).sort(), ['blocker', 'contracts', 'taken.svg']);

export const cases: ExitCodeCase[] = [
  {
    name: `a filter nested deeper than ${maxFilterDepth} levels (10,000 levels of $and)`,
    prepare: sqliteConfig,
    args: ['find', 'cases', '--where', deepFilter(10_000)],
    code: 2,
    stderr: new RegExp(`--where is nested too deeply: steward's limit is ${maxFilterDepth} levels of \\$and`),
  },
  {
    name: `a filter with more than ${maxFilterConditions} conditions (1,001)`,
    prepare: sqliteConfig,
    args: ['count', 'cases', '--where', manyConditions(1001)],
    code: 2,
    stderr: new RegExp(`--where holds more than ${maxFilterConditions} conditions, steward's limit`),
  },
  {
    name: 'graph --out under a path that is a file',
    prepare: contractsProject,
    args: ['graph', '--out', 'blocker/map.svg'],
    code: 2,
    stderr:
      /cannot write \S*blocker\/map\.svg \(--out\): a part of the path is a file, not a folder \(ENOTDIR\)/,
    after: (dir) => {
      onlyPrepared(dir);
      assert.equal(readFileSync(join(dir, 'blocker'), 'utf8'), 'a file, not a folder\n');
    },
  },
  {
    name: 'graph --out naming a folder',
    prepare: contractsProject,
    args: ['graph', '--out', 'taken.svg'],
    code: 2,
    stderr: /cannot write \S*taken\.svg \(--out\): it is a folder \(EISDIR\)/,
    after: (dir) => assert.deepEqual(readdirSync(join(dir, 'taken.svg')), []),
  },
  {
    name: 'contracts export --out naming a file',
    prepare: contractsProject,
    args: ['contracts', 'export', '--out', 'blocker'],
    code: 2,
    stderr: /cannot write \S*blocker \(--out\): a part of the path is a file, not a folder/,
    after: onlyPrepared,
  },
  {
    name: 'approvals keygen --out under a path that is a file',
    prepare: contractsProject,
    args: ['approvals', 'keygen', '--out', 'blocker/alice'],
    code: 2,
    stderr: /cannot write \S*blocker\/alice\.pub\.pem \(--out\): a part of the path is a file/,
    after: onlyPrepared,
  },
  {
    name: 'audit verify --expect-head that is not <seq>:<hash>',
    prepare: ledgerProject,
    args: ['audit', 'verify', '--expect-head', '12:abc'],
    code: 2,
    stderr: /--expect-head must be <seq>:<hash>/,
  },
  {
    name: "audit verify with the audit log's head row not JSON",
    prepare: async (dir) => {
      await ledgerProject(dir);
      corruptRow(dir, 'steward_audit', 'head');
    },
    args: ['audit', 'verify'],
    code: 3,
    stderr: /the document with key "head" in collection "steward_audit" of the SQLite store is not JSON/,
    after: (dir) => rowUnchanged(dir, 'steward_audit', 'head'),
  },
  {
    name: 'doctor with a checkpoint row not JSON',
    prepare: async (dir) => {
      await ledgerProject(dir);
      corruptRow(dir, 'steward_checkpoints', 'refs.scan');
    },
    args: ['doctor'],
    code: 3,
    stderr: /the ledger could not be read: .*key "refs\.scan" in collection "steward_checkpoints" .*not JSON/,
    after: (dir) => rowUnchanged(dir, 'steward_checkpoints', 'refs.scan'),
  },
  {
    name: 'flags list with a flag row not JSON',
    prepare: async (dir) => {
      await ledgerProject(dir);
      corruptRow(dir, 'steward_flags', 'cases.read-shape#000001');
    },
    args: ['flags', 'list'],
    code: 3,
    stderr: /key "cases\.read-shape#000001" in collection "steward_flags" .*not JSON/,
    after: (dir) => {
      assert.ok(existsSync(join(dir, 'app.sqlite')));
      rowUnchanged(dir, 'steward_flags', 'cases.read-shape#000001');
    },
  },
];
