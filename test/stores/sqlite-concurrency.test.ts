/**
 * Several processes writing one SQLite file, as two `refs repair` runs or a scan beside an apply
 * do: a writer that finds the write lock taken waits for it (write transactions begin with
 * `BEGIN IMMEDIATE`, within the busy timeout) instead of failing with "database is locked"; a
 * lock held past `busyTimeoutMs` ends the write with `store.timeout` (exit 3) naming the store.
 * SQLite only: a file every process opens.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { isStewardError } from '../../src/errors/steward-error.js';
import { openStore } from '../../src/stores/open-store.js';
import { readAll } from '../support/read-all.js';
import { selectedKinds } from '../support/test-stores.js';

const spec = { name: 'shared', keyField: 'id' };
const keys = 200;
const rounds = 40;

interface Exit {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function writer(file: string, tag: string, startFile: string): Promise<Exit> {
  const script = join(import.meta.dirname, 'fixtures/sqlite-writer.ts');
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', script, file, tag, String(keys), String(rounds), startFile],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (b) => {
    stdout += b;
  });
  child.stderr.on('data', (b) => {
    stderr += b;
  });
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, stdout, stderr })));
}

describe('SQLite: concurrent writers', { skip: !selectedKinds().includes('sqlite') }, () => {
  let dir: string;
  let file: string;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'steward-sqlite-writers-'));
    file = join(dir, 'app.sqlite');
    const store = await openStore({ kind: 'sqlite', file });
    await store.ensureCollection(spec);
    const docs = ['a', 'b'].flatMap((tag) =>
      Array.from({ length: keys }, (_, i) => ({ id: `${tag}-${i}`, round: -1 })),
    );
    await store.collection(spec).write(docs.map((doc) => ({ type: 'insert', doc })));
    await store.close();
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('two processes writing batches at once both finish: the second waits, it does not crash', async () => {
    const startFile = join(dir, 'start');
    const runs = [writer(file, 'a', startFile), writer(file, 'b', startFile)];
    await new Promise((resolve) => setTimeout(resolve, 1500)); // both have opened the file
    writeFileSync(startFile, '');
    const [a, b] = await Promise.all(runs);
    for (const [tag, run] of [
      ['a', a],
      ['b', b],
    ] as const) {
      assert.equal(run?.code, 0, `writer ${tag} failed: ${run?.stderr}`);
      assert.deepEqual(JSON.parse(run?.stdout ?? ''), { ok: keys * rounds, other: 0 }, `writer ${tag}`);
    }
    const store = await openStore({ kind: 'sqlite', file });
    try {
      const docs = await readAll(store.collection(spec));
      assert.equal(docs.length, 2 * keys);
      assert.ok(
        docs.every((d) => d.round === rounds - 1 && d.by === String(d.id).slice(0, 1)),
        'every document has its own writer’s last round',
      );
    } finally {
      await store.close();
    }
  });

  test('a lock held past busyTimeoutMs fails the write with store.timeout naming the store', async () => {
    const holder = new Database(file);
    holder.exec('BEGIN IMMEDIATE');
    const store = await openStore({ kind: 'sqlite', file, name: 'main', busyTimeoutMs: 300 });
    try {
      const started = Date.now();
      await assert.rejects(
        store.collection(spec).write([{ type: 'patch', key: 'a-1', set: { blocked: true } }]),
        (e) =>
          isStewardError(e, 'store.timeout') &&
          e.exitCode === 3 &&
          /store "main" \(SQLite file .*app\.sqlite\) stayed locked by another writer for more than 300 ms/.test(
            e.message,
          ) &&
          /busyTimeoutMs/.test(e.message),
      );
      assert.ok(Date.now() - started < 5000, 'gives up after the busy timeout, not later');
      holder.exec('ROLLBACK');
      const [result] = await store
        .collection(spec)
        .write([{ type: 'patch', key: 'a-1', set: { after: true } }]);
      assert.equal(result?.status, 'ok', 'writes again once the lock is free');
    } finally {
      if (holder.inTransaction) holder.exec('ROLLBACK');
      holder.close();
      await store.close();
    }
  });
});
