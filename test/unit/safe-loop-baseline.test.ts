/**
 * The hand-written safe migration the apply and rollback benches compare with (issue 17, eighth
 * pass) must do all the work apply does, or its figure flatters nothing but itself: every document
 * migrated, sums that equal a census of the table, an image and a checkpoint a page, a resume
 * after a failure, a conflict refused, and a rollback back to the original text byte for byte; and
 * its sums must be steward's own on SQLite (`stored-text` checksums, issue 17 ninth pass), or it
 * would be measuring other work. A real SQLite file in a temporary directory, as the bench uses.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import fc from 'fast-check';
import type { Baseline, SafeLoopJob } from '../../bench/baselines/baseline.js';
import { baselineName } from '../../bench/baselines/baseline.js';
import { canonicalJson } from '../../bench/baselines/canonical-json.js';
import { openSqliteBaseline } from '../../bench/baselines/sqlite-baseline.js';
import { createBenchContext } from '../../bench/bench-context.js';
import { migrated } from '../../bench/migration-workload.js';
import { handWrittenCheck, safeLoopBaseline } from '../../bench/safe-loop-baseline.js';
import { taskBatches } from '../../bench/task-workloads.js';
import { type JsonObject, canonicalJson as stewardCanonicalJson } from '../../src/core/json.js';
import { collectionChecksum } from '../../src/migrations/collection-checksum.js';
import { scanPages } from '../../src/stores/scan-pages.js';
import { openSqliteStore } from '../../src/stores/sqlite/sqlite-store.js';

const dir = mkdtempSync(join(tmpdir(), 'steward-safe-loop-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const docs = 250;
const options = { docs, batch: 100, seed: 'safe-loop' };

async function loaded(
  name: string,
): Promise<{ baseline: Baseline; file: string; texts: Map<string, string> }> {
  const file = join(dir, `${name}.sqlite`);
  const baseline = openSqliteBaseline({ kind: 'sqlite', file } as never);
  await baseline.reset();
  for (const batch of taskBatches(options)) await baseline.write(batch);
  return { baseline, file, texts: tableTexts(file) };
}

function tableTexts(file: string): Map<string, string> {
  const db = new Database(file, { readonly: true });
  try {
    const rows = db.prepare(`SELECT id, doc FROM ${baselineName}`).raw(true).all() as [string, string][];
    return new Map(rows);
  } finally {
    db.close();
  }
}

function count(file: string, sql: string): number {
  const db = new Database(file, { readonly: true });
  try {
    return (db.prepare(sql).raw(true).get() as [number])[0];
  } finally {
    db.close();
  }
}

/**
 * Steward's checksum, in the `stored-text` kind, of a collection of its own SQLite store holding
 * exactly `texts` (each written as that text, `encode` with it), checked to hold them byte for byte.
 */
async function stewardStoredTextChecksum(name: string, texts: Map<string, string>) {
  const store = await openSqliteStore({ kind: 'sqlite', file: join(dir, `${name}-steward.sqlite`) });
  try {
    const spec = { name: 'tasks', keyField: 'id' };
    await store.ensureCollection(spec);
    const tasks = store.collection(spec);
    assert.ok(tasks.encode, 'the SQLite store encodes documents as text');
    await tasks.write(
      [...texts.values()].map((text) => {
        const doc = JSON.parse(text) as JsonObject;
        return { type: 'insert' as const, doc, encoded: tasks.encode!(doc, text) };
      }),
    );
    const stored = new Map<string, string>();
    for await (const page of scanPages(tasks, { limit: 100, texts: true }))
      for (const [i, doc] of page.docs.entries()) stored.set(doc.id as string, page.texts![i]!);
    assert.deepEqual(stored, texts, 'steward holds the texts of the baseline table byte for byte');
    return await collectionChecksum(tasks, { kind: 'stored-text' });
  } finally {
    await store.close();
  }
}

/** A safe loop sum as the last 12 hex digits of a checksum's hash (digest-sum.ts says why). */
const hexTail = (sum: number): string => sum.toString(16).padStart(12, '0');

const job = (overrides: Partial<SafeLoopJob> = {}): SafeLoopJob => ({
  transform: migrated,
  check: handWrittenCheck(),
  pageSize: options.batch,
  poll: () => undefined,
  ...overrides,
});

describe('the hand-written safe migration (bench baseline-safe-loop)', () => {
  test("its sums are the last 48 bits of steward's stored-text checksums of the same table, before and after", async () => {
    const { baseline, file, texts } = await loaded('steward-sums');
    const original = await baseline.digestCensus!();
    const result = await baseline.safeUpdateLoop!(job());
    const end = await baseline.digestCensus!();
    const stewardBefore = await stewardStoredTextChecksum('steward-before', texts);
    const stewardAfter = await stewardStoredTextChecksum('steward-after', tableTexts(file));
    for (const [label, sum, checksum] of [
      ['before', result.beforeSum, stewardBefore],
      ['after', result.afterSum, stewardAfter],
      ['census before', original.sum, stewardBefore],
      ['census after', end.sum, stewardAfter],
    ] as const) {
      assert.equal(checksum.count, docs, label);
      assert.match(checksum.hash, /^text:[0-9a-f]{64}$/, label);
      assert.equal(checksum.hash.slice(-12), hexTail(sum), label);
    }
    assert.notEqual(stewardBefore.hash, stewardAfter.hash);
    await baseline.close();
  });

  test("the DynamoDB loop's canonical JSON is the canonical JSON steward hashes, whatever the shapes met before", () => {
    const json = fc.letrec((tie) => ({
      value: fc.oneof(
        { depthSize: 'small' },
        fc.constantFrom(null, true, false, 0, -1.5, 'a', 'é"\\'),
        fc.array(tie('value'), { maxLength: 3 }),
        fc.dictionary(fc.constantFrom('b', 'a', 'c', 'id', 'Z', '_'), tie('value'), { maxKeys: 4 }),
      ),
    })).value;
    fc.assert(
      fc.property(fc.array(json, { minLength: 1, maxLength: 4 }), (values) => {
        for (const value of values) assert.equal(canonicalJson(value), stewardCanonicalJson(value as never));
      }),
      { seed: 17, numRuns: 300 },
    );
  });

  test('migrates every document, an image and a checkpoint a page, sums equal to a census of the table', async () => {
    const { baseline, file } = await loaded('apply');
    const original = await baseline.digestCensus!();
    const result = await baseline.safeUpdateLoop!(job());
    const end = await baseline.digestCensus!();
    assert.deepEqual(result, { docs, pages: 3, beforeSum: original.sum, afterSum: end.sum });
    assert.deepEqual(end.versions, { '2': docs });
    assert.notEqual(original.sum, end.sum);
    assert.equal(count(file, `SELECT count(*) FROM ${baselineName}_images`), 3);
    assert.equal(
      count(
        file,
        `SELECT sum(json_array_length(substr(entries, 1, instr(entries, char(10)) - 1))) FROM ${baselineName}_images`,
      ),
      docs * 4,
    );
    assert.equal(count(file, `SELECT docs FROM ${baselineName}_checkpoints WHERE job = 'apply'`), docs);
    await baseline.close();
  });

  test('a failed check stops it with the page unwritten; a rerun resumes after the last committed page', async () => {
    const { baseline, file } = await loaded('resume');
    const original = await baseline.digestCensus!();
    const failing = job({ check: (doc) => (doc.id === 'task-0000150' ? 'planted failure' : undefined) });
    await assert.rejects(baseline.safeUpdateLoop!(failing), /task-0000150 planted failure/);
    assert.equal(count(file, `SELECT docs FROM ${baselineName}_checkpoints WHERE job = 'apply'`), 100);
    assert.deepEqual((await baseline.digestCensus!()).versions, { '1': docs - 100, '2': 100 });
    const result = await baseline.safeUpdateLoop!(job());
    const end = await baseline.digestCensus!();
    assert.deepEqual(result, { docs, pages: 3, beforeSum: original.sum, afterSum: end.sum });
    assert.deepEqual(end.versions, { '2': docs });
    await baseline.close();
  });

  test('refuses to overwrite a document written by someone else between its read and its write', async () => {
    const { baseline, file } = await loaded('race');
    const other = new Database(file);
    const edit = other.prepare(
      `UPDATE ${baselineName} SET doc = json_set(doc, '$.title', 'edited') WHERE id = ?`,
    );
    // The other writer acts while the page is in JavaScript, after its read, before its transaction.
    const racing = job({
      transform: (doc) => {
        if (doc.id === 'task-0000150') edit.run('task-0000150');
        return migrated(doc);
      },
    });
    await assert.rejects(baseline.safeUpdateLoop!(racing), /task-0000150 changed since it was read/);
    other.close();
    // The page's transaction rolled back whole: its image, its writes and its checkpoint.
    assert.deepEqual((await baseline.digestCensus!()).versions, { '1': docs - 100, '2': 100 });
    assert.equal(count(file, `SELECT count(*) FROM ${baselineName}_images`), 1);
    assert.equal(count(file, `SELECT docs FROM ${baselineName}_checkpoints WHERE job = 'apply'`), 100);
    assert.equal(
      count(file, `SELECT count(*) FROM ${baselineName} WHERE doc->>'$.title' = 'edited'`),
      1,
      'the other writer kept its write',
    );
    await baseline.close();
  });

  test('rolls back to the original text byte for byte, and its census says exact', async () => {
    const { baseline, file, texts } = await loaded('rollback');
    const original = await baseline.digestCensus!();
    await baseline.safeUpdateLoop!(job());
    const rolledBack = await baseline.safeRollback!(() => undefined);
    assert.deepEqual(rolledBack, { docs, census: original, exact: true });
    assert.deepEqual(tableTexts(file), texts);
    await baseline.close();
  });

  test('rollback refuses a document changed since apply wrote it, and restores nothing of its page', async () => {
    const { baseline, file } = await loaded('conflict');
    await baseline.safeUpdateLoop!(job());
    const db = new Database(file);
    db.prepare(`UPDATE ${baselineName} SET doc = json_set(doc, '$.title', 'edited') WHERE id = ?`).run(
      'task-0000120',
    );
    db.close();
    await assert.rejects(
      baseline.safeRollback!(() => undefined),
      /task-0000120 changed since apply/,
    );
    // The first page is restored, the second (holding the edited document) not at all.
    assert.deepEqual((await baseline.digestCensus!()).versions, { '1': 100, '2': docs - 100 });
    await baseline.close();
  });

  test('rollback checks the stored text alone: the same content written in another spacing is refused', async () => {
    const { baseline, file } = await loaded('respaced');
    await baseline.safeUpdateLoop!(job());
    const db = new Database(file);
    const id = 'task-0000220';
    const text = db.prepare(`SELECT doc FROM ${baselineName} WHERE id = ?`).pluck().get(id) as string;
    const respaced = JSON.stringify(JSON.parse(text), null, 1);
    db.prepare(`UPDATE ${baselineName} SET doc = ? WHERE id = ?`).run(respaced, id);
    db.close();
    assert.deepEqual(JSON.parse(respaced), JSON.parse(text), 'the same content');
    await assert.rejects(
      baseline.safeRollback!(() => undefined),
      /task-0000220 changed since apply/,
    );
    // Pages one and two restored; the third, holding the respaced document, not at all.
    assert.deepEqual((await baseline.digestCensus!()).versions, { '1': 200, '2': docs - 200 });
    await baseline.close();
  });

  test('the bench phase runs it both ways on the baseline table and checks the end state', async () => {
    const file = join(dir, 'context.sqlite');
    const context = createBenchContext(
      { ...options, scenario: 'migrate-apply', store: 'sqlite', rounds: 1, keep: false, mongoBatch: 50 },
      { kind: 'sqlite', file } as never,
    );
    const up = await safeLoopBaseline(context, 'up');
    const down = await safeLoopBaseline(context, 'down');
    assert.deepEqual(
      [up?.label, up?.docs, down?.label, down?.docs],
      ['baseline-safe-loop', docs, 'baseline-safe-loop', docs],
    );
    await context.close();
  });
});
